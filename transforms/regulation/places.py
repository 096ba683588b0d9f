"""Country and jurisdiction lexicon: surface forms in every flagged language → ISO 3166-1 alpha-2, ``EU``, ``INTL``.

Country names come from maintained sources, not hand-typed lists: Unicode CLDR's localised territory names
(through babel) for each language we flag, plus pycountry's ISO 3166 English names. CLDR lacks demonyms and
adjectives ("cazaques", "autoridades francesas", "французский"), the short forms newsrooms use ("EUA", "США",
"ABD", "米国") and the regional bodies; those are added by hand below. Regulators and ministries that imply a
jurisdiction are in ``entities`` (each carries its code).

Inflection: Russian names match on a stem (``Франци*`` covers Франция/Франции/Францию), German ones may take a
genitive ``-s``; Turkish suffixes follow an apostrophe ("Fransa'da"), which already ends the word.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Final

LANGUAGES: Final[tuple[str, ...]] = ("en", "pt", "es", "fr", "de", "it", "ru", "tr", "ja", "zh", "ko", "ar")

# CLDR territory codes that are not countries but matter to us.
_REGIONAL_CODES: Final[dict[str, str]] = {"EU": "EU", "EZ": "EU", "UN": "INTL"}

# fmt: off
# The term tables stay as written, one language a line: the formatter would give every alternative its own line.
# Localised names that are also everyday words in that language ("reunião" = meeting, "mali" = financial in
# Turkish and Arabic, "인도" = handover, "이란" = a Korean particle): a wrong jurisdiction is worse than none.
_AMBIGUOUS_NAMES: Final[frozenset[str]] = frozenset({
    "mali", "chad", "jersey", "georgia", "jordan", "niger", "guinea", "man", "reunião", "réunion", "reunión",
    "riunione", "granada", "gana", "togo", "guam", "dominica", "panama", "marrocos", "turkey",
    "مالي", "マリ", "马里", "말리", "인도", "가나", "이란", "오만", "차드", "中非", "トーゴ", "多哥", "통가",
    "peru", "chile", "saint martin", "christmas island", "norfolk island", "svalbard & jan mayen",
    "pitcairn islands", "heard & mcdonald islands", "us outlying islands", "u.s. outlying islands",
})

# Demonyms, adjectives, short forms and capitals used as metonyms, by country and language (term syntax as in
# ``taxonomy``: ``*`` lets the word continue, ``=`` makes it case-sensitive).
HAND_ADDED: Final[dict[str, dict[str, str]]] = {
    "US": {
        "en": "=US|=U.S.|=USA|=U.S.A.|american|americans|washington|"
              # the states that legislate on crypto most often: a state law is a US jurisdiction
              "new york state|california|texas|florida|wyoming|tennessee|illinois|nevada|colorado|"
              "arizona|utah|louisiana|new jersey|massachusetts|connecticut|oregon|ohio|michigan|"
              "minnesota|north carolina|pennsylvania",
        "pt": "=EUA|=EE.UU.|estadunidense*|norte-american*|americano|americana|americanos|americanas|washington",
        "es": "=EE.UU.|=EEUU|=EE. UU.|=EUA|estadounidense*|norteamerican*|washington",
        "fr": "=USA|américain*|washington",
        "de": "=USA|=US|amerikanisch*|us-amerikanisch*|washington",
        "it": "=USA|statunitens*|american*|washington",
        "ru": "сша|американск*|вашингтон*|штатах|штатов",
        "tr": "=ABD|amerikan*|amerika*|washington",
        "ja": "米国|米政府|米証券|米議会|アメリカ|ワシントン|米連邦",
        "zh": "美国|美方|华盛顿|美联",
        "ko": "미국|미 정부|워싱턴|미 의회",
        "ar": "أمريكا|أميركا|الأمريكية|الأمريكي|الأميركية|الأميركي|واشنطن",
    },
    "GB": {
        "en": "=UK|=U.K.|britain|british|london|england|english regulators",
        "pt": "britânic*|londres|inglaterra|=RU",
        "es": "británic*|londres|inglaterra",
        "fr": "britannique*|londres|angleterre|=R.-U.",
        "de": "britisch*|großbritannien*|london|england*",
        "it": "britannic*|londra|inghilterra",
        "ru": "британ*|великобритани*|лондон*|англи*",
        "tr": "ingiltere*|britanya*|ingiliz*|londra*",
        "ja": "英国|イギリス|ロンドン|英金融",
        "zh": "英国|伦敦",
        "ko": "영국|런던",
        "ar": "بريطانيا|البريطانية|البريطاني|لندن|المملكة المتحدة",
    },
    "FR": {
        "en": "french|paris",
        "pt": "francesa|francesas|francês|franceses|paris",
        "es": "francesa|francesas|francés|franceses|parís",
        "fr": "français|française|françaises|paris|hexagone",
        "de": "französisch*|paris",
        "it": "francese|francesi|parigi",
        "ru": "французск*|франци*|париж*",
        "tr": "fransız*|fransa*|paris*",
        "ja": "フランス|パリ|仏当局|仏検察",
        "zh": "法国|巴黎|法方",
        "ko": "프랑스|파리",
        "ar": "فرنسا|الفرنسية|الفرنسي|الفرنسيين|باريس",
    },
    "DE": {
        "en": "german|berlin|frankfurt",
        "pt": "alemã|alemãs|alemão|alemães|berlim",
        "es": "alemana|alemanas|alemán|alemanes|berlín",
        "fr": "allemand|allemande|allemands|allemandes|berlin",
        "de": "deutsch|deutsche|deutschen|deutscher|deutsches|berlin*|bundes*",
        "it": "tedesca|tedesche|tedesco|tedeschi|berlino",
        "ru": "германи*|немецк*|берлин*|фрг",
        "tr": "alman*|berlin*",
        "ja": "ドイツ|独当局|ベルリン",
        "zh": "德国|柏林",
        "ko": "독일|베를린",
        "ar": "ألمانيا|الألمانية|الألماني|برلين",
    },
    "KZ": {
        "en": "kazakh|kazakhs|kazakhstani|astana|almaty",
        "pt": "cazaque|cazaques|cazaquistanês|astana|almaty",
        "es": "kazajo|kazaja|kazajos|kazajas|kazajistaní|astaná|almaty",
        "fr": "kazakh|kazakhe|kazakhs|kazakhes|kazakhstanais*|astana|almaty",
        "de": "kasachisch*|kasache*|kasachin*|astana|almaty",
        "it": "kazako|kazaka|kazaki|kazake|kazakistan|astana|almaty",
        "ru": "казахстан*|казахск*|казахстанск*|казах*|астан*|алмат*",
        "tr": "kazak*|astana*|almatı*",
        "ja": "カザフ|アスタナ|アルマトイ",
        "zh": "哈萨克|阿斯塔纳|阿拉木图",
        "ko": "카자흐|아스타나|알마티",
        "ar": "كازاخستان|الكازاخستانية|الكازاخستاني|الكازاخ|أستانا",
    },
    "CN": {
        "en": "chinese|beijing|=PRC",
        "pt": "chinês|chinesa|chineses|chinesas|pequim",
        "es": "chino|china|chinos|chinas|pekín",
        "fr": "chinois|chinoise|chinoises|pékin",
        "de": "chinesisch*|peking",
        "it": "cinese|cinesi|pechino",
        "ru": "кита*|китайск*|пекин*|кнр",
        "tr": "çin*|pekin*",
        "ja": "中国|北京|中国当局",
        "zh": "中国|北京|内地|中国大陆|中方",
        "ko": "중국|베이징",
        "ar": "الصين|الصينية|الصيني|بكين",
    },
    "HK": {
        "en": "hong kong", "pt": "hong kong", "es": "hong kong", "fr": "hong kong", "de": "hongkong*",
        "it": "hong kong", "ru": "гонконг*", "tr": "hong kong*", "ja": "香港", "zh": "香港", "ko": "홍콩",
        "ar": "هونغ كونغ|هونج كونج",
    },
    "JP": {
        "en": "japanese|tokyo",
        "pt": "japonês|japonesa|japoneses|japonesas|tóquio",
        "es": "japonés|japonesa|japoneses|japonesas|tokio",
        "fr": "japonais|japonaise|japonaises|tokyo",
        "de": "japanisch*|tokio",
        "it": "giapponese|giapponesi|tokyo",
        "ru": "японск*|япони*|токио",
        "tr": "japon*|tokyo*",
        "ja": "日本|東京",
        "zh": "日本|东京",
        "ko": "일본|도쿄",
        "ar": "اليابان|اليابانية|الياباني|طوكيو",
    },
    "KR": {
        "en": "south korean|korean|seoul",
        "pt": "sul-coreano|sul-coreana|sul-coreanos|sul-coreanas|coreano|coreana|seul",
        "es": "surcoreano|surcoreana|surcoreanos|surcoreanas|coreano|coreana|seúl",
        "fr": "sud-coréen*|coréen*|séoul",
        "de": "südkoreanisch*|koreanisch*|seoul",
        "it": "sudcoreano|sudcoreana|sudcoreani|sudcoreane|coreano|coreana|seul",
        "ru": "южнокорейск*|южной коре*|южная корея|корейск*|сеул*",
        "tr": "güney kore*|koreli*|seul*",
        "ja": "韓国|ソウル",
        "zh": "韩国|首尔",
        "ko": "한국|서울|대한민국",
        "ar": "كوريا الجنوبية|الكورية|سيول",
    },
    "RU": {
        "en": "russian|moscow|kremlin",
        "pt": "russo|russa|russos|russas|moscou|kremlin",
        "es": "ruso|rusa|rusos|rusas|moscú|kremlin",
        "fr": "russe|russes|moscou|kremlin",
        "de": "russisch*|moskau|kreml",
        "it": "russo|russa|russi|russe|mosca|cremlino",
        "ru": "росси*|российск*|москв*|кремл*|рф",
        "tr": "rus*|moskova*|kremlin*",
        "ja": "ロシア|モスクワ",
        "zh": "俄罗斯|俄方|莫斯科",
        "ko": "러시아|모스크바",
        "ar": "روسيا|الروسية|الروسي|موسكو|الكرملين",
    },
    "BR": {
        "en": "brazilian|brasília",
        "pt": "brasileiro|brasileira|brasileiros|brasileiras|brasília|planalto",
        "es": "brasileño|brasileña|brasileños|brasileñas",
        "fr": "brésilien*",
        "de": "brasilianisch*",
        "it": "brasiliano|brasiliana|brasiliani",
        "ru": "бразили*|бразильск*",
        "tr": "brezilya*",
        "ja": "ブラジル", "zh": "巴西", "ko": "브라질", "ar": "البرازيل|البرازيلية",
    },
    "IN": {
        "en": "indian|new delhi", "pt": "indiano|indiana|indianos|indianas", "es": "indio|india|indios|hindú",
        "fr": "indien|indienne|indiens", "de": "indisch*", "it": "indiano|indiana|indiani",
        "ru": "индия|индии|индию|индийск*", "tr": "hindistan*", "ja": "インド政府|インド準備銀行",
        "zh": "印度", "ko": "인도 정부|인도 중앙은행", "ar": "الهند|الهندية",
    },
    "TR": {
        "en": "turkish|türkiye|ankara|istanbul", "pt": "turco|turca|turcos|turcas|turquia|ancara",
        "es": "turco|turca|turcos|turcas|turquía|ankara", "fr": "turc|turque|turcs|turques|turquie|ankara",
        "de": "türkisch*|türkei|ankara", "it": "turco|turca|turchi|turche|turchia|ankara",
        "ru": "турци*|турецк*|анкар*", "tr": "türkiye*|türk*|ankara*", "ja": "トルコ", "zh": "土耳其",
        "ko": "튀르키예|터키", "ar": "تركيا|التركية|التركي|أنقرة",
    },
    "AE": {
        "en": "=UAE|emirati|dubai|abu dhabi", "pt": "=EAU|emiradense*|dubai|abu dhabi",
        "es": "=EAU|emiratí|dubái|abu dabi", "fr": "=EAU|émirati*|dubaï|abou dabi",
        "de": "=VAE|emiratisch*|dubai|abu dhabi", "it": "=EAU|emiratin*|dubai|abu dhabi",
        "ru": "оаэ|эмират*|дуба*|абу-даби", "tr": "=BAE|dubai*|abu dabi*", "ja": "アラブ首長国連邦|ドバイ|アブダビ",
        "zh": "阿联酋|迪拜|阿布扎比", "ko": "아랍에미리트|두바이|아부다비", "ar": "الإمارات|الإماراتية|دبي|أبوظبي|أبو ظبي",
    },
    "SG": {"en": "singaporean", "pt": "singapurense*", "es": "singapurense*", "fr": "singapourien*",
           "de": "singapurisch*", "it": "singaporiano|singaporiana", "ru": "сингапур*", "tr": "singapur*",
           "ja": "シンガポール", "zh": "新加坡", "ko": "싱가포르", "ar": "سنغافورة|السنغافورية"},
    "CH": {"en": "swiss", "pt": "suíço|suíça|suíços", "es": "suizo|suiza|suizos", "fr": "suisse|suisses",
           "de": "schweizer*|schweiz*", "it": "svizzero|svizzera|svizzeri", "ru": "швейцар*", "tr": "isviçre*",
           "ja": "スイス", "zh": "瑞士", "ko": "스위스", "ar": "سويسرا|السويسرية"},
    "IT": {"en": "italian|rome", "pt": "italiano|italiana|italianos|roma", "es": "italiano|italiana|roma",
           "fr": "italien|italienne|italiens|rome", "de": "italienisch*|rom", "it": "italiano|italiana|italiani|roma",
           "ru": "итали*|итальянск*", "tr": "italya*|italyan*", "ja": "イタリア", "zh": "意大利", "ko": "이탈리아",
           "ar": "إيطاليا|الإيطالية"},
    "ES": {"en": "spanish|madrid", "pt": "espanhol|espanhola|espanhóis|madri", "es": "español|española|españoles|madrid",
           "fr": "espagnol*|madrid", "de": "spanisch*|madrid", "it": "spagnolo|spagnola|spagnoli|madrid",
           "ru": "испани*|испанск*", "tr": "ispanya*|ispanyol*", "ja": "スペイン", "zh": "西班牙", "ko": "스페인",
           "ar": "إسبانيا|الإسبانية"},
    "PT": {"en": "portuguese|lisbon", "pt": "português|portuguesa|portugueses|lisboa", "es": "portugués|portuguesa|lisboa",
           "fr": "portugais|portugaise|lisbonne", "de": "portugiesisch*|lissabon", "it": "portoghese|portoghesi|lisbona",
           "ru": "португали*", "tr": "portekiz*", "ja": "ポルトガル", "zh": "葡萄牙", "ko": "포르투갈", "ar": "البرتغال"},
    "AR": {"en": "argentine|argentinian|buenos aires", "pt": "argentino|argentina|argentinos|buenos aires",
           "es": "argentino|argentina|argentinos|buenos aires", "fr": "argentin|argentine|argentins",
           "de": "argentinisch*", "it": "argentino|argentina", "ru": "аргентин*", "tr": "arjantin*",
           "ja": "アルゼンチン", "zh": "阿根廷", "ko": "아르헨티나", "ar": "الأرجنتين"},
    "MX": {"en": "mexican", "pt": "mexicano|mexicana", "es": "mexicano|mexicana|mexicanos|mexicanas",
           "fr": "mexicain*", "de": "mexikanisch*", "it": "messicano|messicana", "ru": "мексик*", "tr": "meksika*",
           "ja": "メキシコ", "zh": "墨西哥", "ko": "멕시코", "ar": "المكسيك"},
    "SV": {"en": "salvadoran", "pt": "salvadorenho*", "es": "salvadoreño*|bukele", "fr": "salvadorien*",
           "de": "salvadorianisch*", "it": "salvadoregn*", "ru": "сальвадор*", "tr": "el salvador*",
           "ja": "エルサルバドル", "zh": "萨尔瓦多", "ko": "엘살바도르", "ar": "السلفادور"},
    "CA": {"en": "canadian|ottawa", "pt": "canadense*", "es": "canadiense*", "fr": "canadien*", "de": "kanadisch*",
           "it": "canadese|canadesi", "ru": "канад*", "tr": "kanada*", "ja": "カナダ", "zh": "加拿大", "ko": "캐나다",
           "ar": "كندا|الكندية"},
    "AU": {"en": "australian|canberra", "pt": "australiano|australiana", "es": "australiano|australiana",
           "fr": "australien*", "de": "australisch*", "it": "australiano|australiana", "ru": "австрали*",
           "tr": "avustralya*", "ja": "オーストラリア|豪州", "zh": "澳大利亚|澳洲", "ko": "호주", "ar": "أستراليا|الأسترالية"},
    "UA": {"en": "ukrainian|kyiv", "pt": "ucraniano|ucraniana", "es": "ucraniano|ucraniana", "fr": "ukrainien*",
           "de": "ukrainisch*", "it": "ucraino|ucraina", "ru": "украин*|киев*", "tr": "ukrayna*", "ja": "ウクライナ",
           "zh": "乌克兰", "ko": "우크라이나", "ar": "أوكرانيا"},
    "SA": {"en": "saudi", "pt": "saudita*", "es": "saudí|saudita*", "fr": "saoudien*", "de": "saudi-arabisch*",
           "it": "saudita|saudite|sauditi", "ru": "саудовск*", "tr": "suudi*", "ja": "サウジ", "zh": "沙特",
           "ko": "사우디", "ar": "السعودية|السعودي|الرياض|المملكة"},
    "EG": {"en": "egyptian|cairo", "pt": "egípcio*", "es": "egipcio*", "fr": "égyptien*", "de": "ägyptisch*",
           "it": "egiziano|egiziana", "ru": "египет*|египт*", "tr": "mısır*", "ja": "エジプト", "zh": "埃及",
           "ko": "이집트", "ar": "المصرية|المصري|القاهرة"},
    "NG": {"en": "nigerian|abuja", "pt": "nigeriano*", "es": "nigeriano*", "fr": "nigérian*", "de": "nigerianisch*",
           "it": "nigeriano|nigeriana", "ru": "нигери*", "tr": "nijerya*", "ja": "ナイジェリア", "zh": "尼日利亚",
           "ko": "나이지리아", "ar": "نيجيريا"},
    "TH": {"en": "thai|bangkok", "pt": "tailandês|tailandesa", "es": "tailandés|tailandesa", "fr": "thaïlandais*",
           "de": "thailändisch*", "it": "thailandese", "ru": "таиланд*|тайск*", "tr": "tayland*", "ja": "タイ政府|タイ証券",
           "zh": "泰国", "ko": "태국", "ar": "تايلاند"},
    "VN": {"en": "vietnamese|hanoi", "pt": "vietnamita*", "es": "vietnamita*", "fr": "vietnamien*",
           "de": "vietnamesisch*", "it": "vietnamita", "ru": "вьетнам*", "tr": "vietnam*", "ja": "ベトナム",
           "zh": "越南", "ko": "베트남", "ar": "فيتنام"},
    "IL": {"en": "israeli", "pt": "israelense*", "es": "israelí|israelíes", "fr": "israélien*", "de": "israelisch*",
           "it": "israeliano|israeliana", "ru": "израил*", "tr": "israil*", "ja": "イスラエル", "zh": "以色列",
           "ko": "이스라엘", "ar": "إسرائيل|الإسرائيلية"},
    "NL": {"en": "dutch|netherlands", "pt": "holandês|holandesa|neerlandês", "es": "neerlandés|holandés|holandesa",
           "fr": "néerlandais*", "de": "niederländisch*", "it": "olandese|olandesi", "ru": "нидерланд*",
           "tr": "hollanda*", "ja": "オランダ", "zh": "荷兰", "ko": "네덜란드", "ar": "هولندا"},
    "PL": {"en": "polish|warsaw", "pt": "polonês|polonesa", "es": "polaco|polaca", "fr": "polonais*",
           "de": "polnisch*", "it": "polacco|polacca", "ru": "польш*|польск*", "tr": "polonya*", "ja": "ポーランド",
           "zh": "波兰", "ko": "폴란드", "ar": "بولندا"},
    "IE": {"en": "irish|dublin", "pt": "irlandês|irlandesa", "es": "irlandés|irlandesa", "fr": "irlandais*",
           "de": "irisch*", "it": "irlandese", "ru": "ирланд*", "tr": "irlanda*", "ja": "アイルランド",
           "zh": "爱尔兰", "ko": "아일랜드", "ar": "أيرلندا"},
    "BE": {"en": "belgian|brussels-based", "pt": "belga|belgas", "es": "belga|belgas", "fr": "belge|belges",
           "de": "belgisch*", "it": "belga|belgi|belghe", "ru": "бельги*", "tr": "belçika*", "ja": "ベルギー",
           "zh": "比利时", "ko": "벨기에", "ar": "بلجيكا|البلجيكية|البلجيكي"},
    "CL": {"en": "chilean", "pt": "chileno|chilena|chilenos|chilenas", "es": "chileno|chilena|chilenos|chilenas",
           "fr": "chilien*", "de": "chilenisch*", "it": "cileno|cilena|cileni", "ru": "чили|чилийск*",
           "tr": "şili*", "ja": "チリ政府|チリ当局", "zh": "智利", "ko": "칠레", "ar": "تشيلي"},
    "VE": {"en": "venezuelan", "pt": "venezuelano*", "es": "venezolano|venezolana|venezolanos|venezolanas",
           "fr": "vénézuélien*", "de": "venezolanisch*", "it": "venezuelano|venezuelana|venezuelani",
           "ru": "венесуэл*", "tr": "venezuela*", "ja": "ベネズエラ", "zh": "委内瑞拉", "ko": "베네수엘라",
           "ar": "فنزويلا|الفنزويلية"},
    "CO": {"en": "colombian", "pt": "colombiano*", "es": "colombiano*", "fr": "colombien*", "de": "kolumbianisch*",
           "it": "colombiano|colombiana", "ru": "колумби*", "tr": "kolombiya*", "ja": "コロンビア", "zh": "哥伦比亚",
           "ko": "콜롬비아", "ar": "كولومبيا"},
    "UZ": {"en": "uzbek", "pt": "uzbeque*", "es": "uzbeko*", "fr": "ouzbek*", "de": "usbekisch*", "it": "uzbeko|uzbeka",
           "ru": "узбекистан*|узбекск*", "tr": "özbek*", "ja": "ウズベキスタン", "zh": "乌兹别克", "ko": "우즈베키스탄",
           "ar": "أوزبكستان"},
    "BY": {"en": "belarusian", "pt": "bielorrusso*", "es": "bielorruso*", "fr": "biélorusse*", "de": "belarussisch*",
           "it": "bielorusso|bielorussa", "ru": "беларус*|белорусск*", "tr": "belarus*", "ja": "ベラルーシ",
           "zh": "白俄罗斯", "ko": "벨라루스", "ar": "بيلاروسيا"},
    "IR": {"en": "iranian|tehran", "pt": "iraniano*", "es": "iraní|iraníes", "fr": "iranien*", "de": "iranisch*",
           "it": "iraniano|iraniana", "ru": "иран*", "tr": "iran*", "ja": "イラン", "zh": "伊朗", "ko": "이란 정부",
           "ar": "إيران|الإيرانية"},
    "KP": {"en": "north korean|pyongyang", "pt": "norte-coreano*", "es": "norcoreano*", "fr": "nord-coréen*",
           "de": "nordkoreanisch*", "it": "nordcoreano|nordcoreana", "ru": "северокорейск*|кндр", "tr": "kuzey kore*",
           "ja": "北朝鮮", "zh": "朝鲜", "ko": "북한", "ar": "كوريا الشمالية"},
    "EU": {
        "en": "=EU|european union|european commission|european parliament|brussels|=EU's|eurozone|"
              # EU regulations named without the EU: MiCA, DORA, the AMLA
              "=MiCA|markets in crypto-assets|=DORA|=AMLA",
        "pt": "=UE|=MiCA|união europeia|comissão europeia|parlamento europeu|bruxelas|europeu|europeia|europeus|europeias",
        "es": "=UE|=MiCA|unión europea|comisión europea|parlamento europeo|bruselas|europeo|europea|europeos|europeas",
        "fr": "=UE|=MiCA|union européenne|commission européenne|parlement européen|bruxelles|européen|européenne|"
              "européens|européennes",
        "de": "=EU|=MiCA|=MiCAR|europäische union|eu-kommission|eu-parlament|brüssel|europäisch*|eu-*",
        "it": "=UE|=MiCA|unione europea|commissione europea|parlamento europeo|bruxelles|europeo|europea|europei|europee",
        "ru": "евросоюз*|европейск* союз*|=ЕС|еврокомисси*|европарламент*|брюссел*",
        "tr": "=AB|=MiCA|avrupa birliği*|avrupa komisyonu*|avrupa parlamentosu*|brüksel*",
        "ja": "欧州連合|欧州委員会|欧州議会|欧州|ＥＵ|EU|MiCA",
        "zh": "欧盟|欧洲委员会|欧洲议会|欧洲央行|布鲁塞尔",
        "ko": "유럽연합|유럽 연합|유럽위원회|유럽의회|EU|MiCA",
        "ar": "الاتحاد الأوروبي|المفوضية الأوروبية|البرلمان الأوروبي|بروكسل|الأوروبي|الأوروبية",
    },
    "INTL": {
        "en": "international standard-setters|global regulators|g20|g7|united nations|basel committee|"
              "international standards|cross-border framework",
        "pt": "g20|g7|nações unidas|reguladores globais|padrões internacionais|comitê de basileia",
        "es": "g20|g7|naciones unidas|reguladores globales|estándares internacionales|comité de basilea",
        "fr": "g20|g7|nations unies|régulateurs mondiaux|normes internationales|comité de bâle",
        "de": "g20|g7|vereinte* nationen|internationale standards|basler ausschuss",
        "it": "g20|g7|nazioni unite|standard internazionali|comitato di basilea",
        "ru": "g20|g7|большой двадцатки|оон|международн* стандарт*|базельск* комитет*",
        "tr": "g20|g7|birleşmiş milletler|uluslararası standart*|basel komite*",
        "ja": "G20|G7|国連|国際基準|バーゼル委員会",
        "zh": "G20|二十国集团|联合国|国际标准|巴塞尔委员会",
        "ko": "G20|주요 20개국|유엔|국제 기준|바젤위원회",
        "ar": "مجموعة العشرين|الأمم المتحدة|المعايير الدولية|لجنة بازل",
    },
}


# The home market of each edition: when a flagged story names no place and no authority with a country, it is
# about the country whose press writes in that language without saying so ("o Senado", "国会", "der Bundestag").
# Languages spoken by many regulators alike (English, Spanish, Arabic) have no home.
HOME_JURISDICTIONS: Final[dict[str, str]] = {
    "pt": "BR", "fr": "FR", "de": "DE", "it": "IT", "ru": "RU", "tr": "TR", "ja": "JP", "zh": "CN", "ko": "KR",
}
# fmt: on


def _russian_forms(name: str) -> list[str]:
    """Russian names decline: match a stem (``Франци*``) when it is long enough not to swallow other words."""
    lowered = name.lower()
    if " " in lowered or "-" in lowered:
        return [lowered]
    stem = lowered[:-1] if lowered[-1] in "аяйь" else lowered
    if len(stem) >= 5:
        return [stem + "*"]
    return [lowered] + [stem + ending for ending in ("и", "ю", "е", "у", "ей", "а")]


@lru_cache(maxsize=1)
def place_terms() -> tuple[tuple[str, str, str], ...]:
    """Every ``(language, term, code)`` of the lexicon: CLDR names, pycountry names, then the hand-added forms."""
    import pycountry
    from babel import Locale

    known = {country.alpha_2 for country in pycountry.countries}
    terms: list[tuple[str, str, str]] = []
    for language in LANGUAGES:
        for territory, name in Locale.parse(language).territories.items():
            code = _REGIONAL_CODES.get(territory, territory)
            if code not in known and code not in ("EU", "INTL"):
                continue
            lowered = name.lower()
            if lowered in _AMBIGUOUS_NAMES or "(" in lowered:
                continue
            if language == "ru":
                terms.extend((language, form, code) for form in _russian_forms(name))
            elif language == "de" and len(lowered) >= 5 and " " not in lowered:
                terms.append((language, lowered + "*", code))  # genitive "Frankreichs", "Kasachstans"
            else:
                terms.append((language, lowered, code))
    for country in pycountry.countries:
        for attribute in ("name", "common_name", "official_name"):
            name = getattr(country, attribute, None)
            if name and "," not in name and name.lower() not in _AMBIGUOUS_NAMES:
                terms.append(("en", name.lower(), country.alpha_2))
    for code, by_language in HAND_ADDED.items():
        for language, alternatives in by_language.items():
            terms.extend((language, term, code) for term in alternatives.split("|") if term)
    return tuple(terms)
