"""Named entities: a curated multilingual gazetteer of organisations, well-known people, and a name heuristic.

Organisations are split the way ``records.Entities`` wants them: ``REGULATORS`` (authorities, ministries,
courts, central banks, regional and international bodies; each with the jurisdiction it implies) and
``COMPANIES`` (companies, platforms, projects, business associations). Aliases use the term syntax of
``taxonomy`` (``=`` for case-sensitive acronyms such as ``=SEC`` or ``=Meta``, which are words in some
languages: "meta" is Portuguese for "goal").

People come from two honest sources: ``KNOWN_PEOPLE`` (figures the crypto and tech press names constantly,
with their spellings in our scripts) and ``find_role_names``, which takes the capitalised name next to a role
word ("CEO", "fundador", "Ministro", "министр"...). Nothing is inferred from capitalisation alone.
"""

from __future__ import annotations

import re
from typing import Final

# fmt: off
# The term tables stay as written, one language a line: the formatter would give every alternative its own line.
# (canonical name, jurisdiction, aliases)
OrgSpec = tuple[str, str | None, str]

REGULATORS: Final[tuple[OrgSpec, ...]] = (
    # United States
    ("SEC", "US", "=SEC|securities and exchange commission|comissão de valores mobiliários dos eua|"
                  "comisión de bolsa y valores|commission des valeurs mobilières|us-börsenaufsicht|"
                  "комисси* по ценным бумагам и биржам|abd menkul kıymetler ve borsa komisyonu|"
                  "米証券取引委員会|米国証券取引委員会|美国证券交易委员会|美国证监会|미국 증권거래위원회|"
                  "هيئة الأوراق المالية والبورصات"),
    ("CFTC", "US", "=CFTC|commodity futures trading commission|商品先物取引委員会|商品期货交易委员会|상품선물거래위원회"),
    ("Federal Reserve", "US", "federal reserve|=Fed|federal reserve board|reserva federal|réserve fédérale|"
                              "федеральн* резерв*|фрс|米連邦準備制度理事会|米連邦準備理事会|美联储|연준|"
                              "الاحتياطي الفيدرالي"),
    ("OCC", "US", "=OCC|office of the comptroller of the currency"),
    ("FinCEN", "US", "fincen"),
    ("OFAC", "US", "=OFAC|office of foreign assets control"),
    ("IRS", "US", "=IRS|internal revenue service|米内国歳入庁|美国国税局|미 국세청|미국 국세청"),
    ("US Department of Justice", "US", "=DOJ|department of justice|justice department|departamento de justiça|"
                                       "departamento de justicia|département de la justice|justizministerium|"
                                       "минюст* сша|米司法省|美国司法部|미국 법무부|وزارة العدل الأمريكية"),
    ("FTC", "US", "=FTC|federal trade commission"),
    ("FBI", "US", "=FBI|фбр"),
    ("US Treasury", "US", "us treasury|u.s. treasury|treasury department|departamento do tesouro|"
                          "tesoro de estados unidos|minfin сша|米財務省|美国财政部|미국 재무부|وزارة الخزانة الأمريكية"),
    ("US Congress", "US", "congresso americano|congresso dos eua|congreso de estados unidos|u.s. congress|us congress|"
                          "конгресс* сша|米議会|美国国会|미국 의회"),
    ("NYDFS", "US", "=NYDFS|new york department of financial services"),
    # European Union and international bodies
    ("European Commission", "EU", "european commission|comissão europeia|comisión europea|commission européenne|"
                                  "eu-kommission|europäische kommission|commissione europea|еврокомисси*|"
                                  "европейская комиссия|avrupa komisyonu|欧州委員会|欧盟委员会|유럽연합 집행위원회|"
                                  "المفوضية الأوروبية"),
    ("European Parliament", "EU", "european parliament|parlamento europeu|parlamento europeo|parlement européen|"
                                  "europäisches parlament|eu-parlament|европарламент*|avrupa parlamentosu|欧州議会|"
                                  "欧洲议会|유럽의회|البرلمان الأوروبي"),
    ("ESMA", "EU", "=ESMA|european securities and markets authority"),
    ("EBA", "EU", "=EBA|european banking authority"),
    ("European Central Bank", "EU", "european central bank|=ECB|=BCE|=EZB|banco central europeu|banco central europeo|"
                                    "banque centrale européenne|europäische zentralbank|banca centrale europea|"
                                    "европейск* центральн* банк*|ецб|avrupa merkez bankası|欧州中央銀行|欧州中銀|"
                                    "欧洲央行|유럽중앙은행|البنك المركزي الأوروبي"),
    ("AMLA", "EU", "=AMLA|anti-money laundering authority"),
    ("FATF", "INTL", "=FATF|=GAFI|financial action task force|grupo de ação financeira|фатф|mali eylem görev gücü|"
                     "金融活動作業部会|金融行动特别工作组|국제자금세탁방지기구|مجموعة العمل المالي"),
    ("IOSCO", "INTL", "=IOSCO|=OICV|international organization of securities commissions|証券監督者国際機構|国际证监会组织"),
    ("BIS", "INTL", "=BIS|bank for international settlements|banco de compensações internacionais|"
                    "banco de pagos internacionales|banque des règlements internationaux|"
                    "bank für internationalen zahlungsausgleich|банк международных расчетов|国際決済銀行|国际清算银行|"
                    "국제결제은행|بنك التسويات الدولية"),
    ("FSB", "INTL", "financial stability board|conselho de estabilidade financeira|consejo de estabilidad financiera|"
                    "conseil de stabilité financière|finanzstabilitätsrat|совет по финансовой стабильности|"
                    "金融安定理事会|金融稳定理事会|금융안정위원회|مجلس الاستقرار المالي"),
    ("Basel Committee", "INTL", "basel committee|comitê de basileia|comité de basilea|comité de bâle|"
                                "basler ausschuss|базельск* комитет*|バーゼル銀行監督委員会|巴塞尔委员会|바젤위원회"),
    ("IMF", "INTL", "=IMF|=FMI|=IWF|international monetary fund|fundo monetário internacional|"
                    "fondo monetario internacional|fonds monétaire international|мвф|国際通貨基金|国际货币基金组织|"
                    "국제통화기금|صندوق النقد الدولي"),
    ("OECD", "INTL", "=OECD|=OCDE|=OCSE|oecd|оэср|経済協力開発機構|经合组织|경제협력개발기구"),
    # United Kingdom
    ("FCA", "GB", "=FCA|financial conduct authority"),
    ("Bank of England", "GB", "bank of england|banco da inglaterra|banco de inglaterra|banque d'angleterre|"
                              "bank of england|банк англии|ingiltere merkez bankası|イングランド銀行|英格兰银行|영란은행"),
    ("HMRC", "GB", "=HMRC"),
    ("Ofcom", "GB", "ofcom"),
    # France, Germany, Italy, Spain, Portugal, Netherlands, Switzerland
    ("AMF", "FR", "=AMF|autorité des marchés financiers"),
    ("CNIL", "FR", "=CNIL"),
    ("ACPR", "FR", "=ACPR"),
    ("Arcom", "FR", "arcom"),
    ("Paris prosecutor's office", "FR", "parquet de paris|procuradoria de paris|fiscalía de parís|pariser staatsanwaltschaft|"
                                        "procura di parigi|прокуратур* парижа|paris savcılığı|パリ検察|巴黎检察院|파리 검찰|"
                                        "النيابة العامة في باريس|investigating judges in paris"),
    ("Banque de France", "FR", "banque de france|banco da frança|banco de francia"),
    ("BaFin", "DE", "bafin"),
    ("Bundesbank", "DE", "bundesbank"),
    ("German Finance Ministry", "DE", "bundesfinanzministerium*|bundesministerium der finanzen"),
    ("Consob", "IT", "consob"),
    ("Agcom", "IT", "agcom"),
    ("Bundesnetzagentur", "DE", "bundesnetzagentur"),
    ("FMA Austria", "AT", "=FMA|finanzmarktaufsicht"),
    ("Bundeskriminalamt", "DE", "bundeskriminalamt|=BKA"),
    ("Tracfin", "FR", "tracfin"),
    ("Bank of Italy", "IT", "banca d'italia|bank of italy|bankitalia"),
    ("Italian Data Protection Authority", "IT", "garante per la protezione dei dati|garante della privacy|garante privacy"),
    ("Guardia di Finanza", "IT", "guardia di finanza"),
    ("Agenzia delle Entrate", "IT", "agenzia delle entrate"),
    ("CNMV", "ES", "=CNMV"),
    ("Bank of Spain", "ES", "banco de españa|bank of spain"),
    ("Spanish Tax Agency", "ES", "agencia tributaria|hacienda"),
    ("AEPD", "ES", "=AEPD|agencia española de protección de datos"),
    ("CMVM", "PT", "=CMVM"),
    ("Banco de Portugal", "PT", "banco de portugal"),
    ("DNB", "NL", "de nederlandsche bank"),
    ("FINMA", "CH", "finma"),
    # Latin America
    ("CVM", "BR", "=CVM|comissão de valores mobiliários"),
    ("Central Bank of Brazil", "BR", "banco central do brasil|=BCB|=BC do brasil|bacen|banco central brasileiro"),
    ("Receita Federal", "BR", "receita federal"),
    ("Polícia Federal", "BR", "polícia federal"),
    ("STF", "BR", "=STF|supremo tribunal federal"),
    ("ANPD", "BR", "=ANPD|autoridade nacional de proteção de dados"),
    ("COAF", "BR", "=COAF"),
    ("Brazilian Congress", "BR", "câmara dos deputados|senado federal|congresso nacional"),
    ("CNBV", "MX", "=CNBV"),
    ("Banxico", "MX", "banxico|banco de méxico"),
    ("SAT", "MX", "servicio de administración tributaria"),
    ("CNV", "AR", "=CNV|comisión nacional de valores"),
    ("BCRA", "AR", "=BCRA|banco central de la república argentina"),
    ("AFIP", "AR", "=AFIP|=ARCA"),
    ("Superintendencia Financiera de Colombia", "CO", "superintendencia financiera|superfinanciera"),
    ("CMF Chile", "CL", "comisión para el mercado financiero"),
    # Russia and neighbours
    ("Bank of Russia", "RU", "bank of russia|банк росси*|центробанк*|цб рф|=ЦБ|центральный банк рф|"
                             "центральн* банк* росси*|rusya merkez bankası|ロシア中央銀行|俄罗斯央行|러시아 중앙은행"),
    ("State Duma", "RU", "state duma|госдум*|государственн* дум*|duma"),
    ("Russian Ministry of Finance", "RU", "минфин*|министерств* финансов рф|министерств* финансов росси*"),
    ("Roskomnadzor", "RU", "roskomnadzor|роскомнадзор*|ркн"),
    ("Rosfinmonitoring", "RU", "rosfinmonitoring|росфинмониторинг*"),
    ("Kazakhstan Ministry of Digital Development", "KZ",
     "ministério do desenvolvimento digital|ministry of digital development|ministerio de desarrollo digital|"
     "ministère du développement numérique|ministerium für digitale entwicklung|ministero dello sviluppo digitale|"
     "министерств* цифрового развития|dijital kalkınma bakanlığı|デジタル開発省|数字发展部|디지털개발부|"
     "وزارة التنمية الرقمية"),
    ("AFSA", "KZ", "=AFSA|astana financial services authority"),
    ("National Bank of Kazakhstan", "KZ", "national bank of kazakhstan|национальн* банк* казахстан*|нацбанк* рк"),
    # Türkiye
    ("SPK", "TR", "=SPK|sermaye piyasası kurulu"),
    ("MASAK", "TR", "masak|mali suçları araştırma kurulu"),
    ("Central Bank of the Republic of Türkiye", "TR", "=TCMB|türkiye cumhuriyet merkez bankası|tcmb"),
    ("BDDK", "TR", "=BDDK|bankacılık düzenleme ve denetleme kurumu"),
    ("BTK", "TR", "=BTK|bilgi teknolojileri ve iletişim kurumu"),
    ("KVKK", "TR", "=KVKK|kişisel verileri koruma kurumu|kişisel verileri koruma kurulu"),
    ("Turkish Ministry of Treasury and Finance", "TR", "hazine ve maliye bakanlığı"),
    ("Turkish Revenue Administration", "TR", "gelir idaresi başkanlığı|gelir idaresi"),
    # Asia-Pacific and the Gulf
    ("FSA Japan", "JP", "金融庁|japan's financial services agency|japanese financial services agency|japan fsa"),
    ("Bank of Japan", "JP", "bank of japan|日本銀行|日銀|banco do japão|banco de japón|banque du japon|"
                            "банк японии|japonya merkez bankası|日本央行|일본은행|بنك اليابان"),
    ("National Tax Agency Japan", "JP", "国税庁"),
    ("Japan Virtual and Crypto assets Exchange Association", "JP", "日本暗号資産取引業協会|=JVCEA"),
    ("People's Bank of China", "CN", "people's bank of china|=PBoC|=PBOC|中国人民银行|人民银行|人民銀行|"
                                     "banco popular da china|banco popular de china|banque populaire de chine|"
                                     "народн* банк* китая|çin halk bankası|중국인민은행"),
    ("CSRC", "CN", "=CSRC|中国证监会|证监会|中国证券监督管理委员会"),
    ("Cyberspace Administration of China", "CN", "cyberspace administration of china|国家网信办|网信办|国家互联网信息办公室"),
    ("SFC", "HK", "=SFC|securities and futures commission|香港证监会|證監會"),
    ("HKMA", "HK", "=HKMA|hong kong monetary authority|香港金管局|金管局|金融管理局"),
    ("MAS", "SG", "=MAS|monetary authority of singapore|新加坡金融管理局|シンガポール金融管理局|싱가포르 통화청"),
    ("FSC Korea", "KR", "금융위원회|금융위|financial services commission"),
    ("FSS Korea", "KR", "금융감독원|금감원|financial supervisory service"),
    ("Bank of Korea", "KR", "한국은행|bank of korea|韓国銀行|韩国银行"),
    ("Korea Fair Trade Commission", "KR", "공정거래위원회|공정위"),
    ("Personal Information Protection Commission", "KR", "개인정보보호위원회|개인정보위"),
    ("Financial Intelligence Unit Korea", "KR", "금융정보분석원|=FIU"),
    ("RBI", "IN", "=RBI|reserve bank of india|インド準備銀行|印度储备银行|인도중앙은행"),
    ("SEBI", "IN", "=SEBI"),
    ("ASIC", "AU", "=ASIC|australian securities and investments commission"),
    ("AUSTRAC", "AU", "austrac"),
    ("VARA", "AE", "=VARA|virtual assets regulatory authority|هيئة تنظيم الأصول الافتراضية"),
    ("ADGM FSRA", "AE", "=ADGM|=FSRA|سوق أبوظبي العالمي"),
    ("Central Bank of the UAE", "AE", "central bank of the uae|مصرف الإمارات العربية المتحدة المركزي|"
                                      "المصرف المركزي الإماراتي"),
    ("SAMA", "SA", "=SAMA|saudi central bank|البنك المركزي السعودي"),
    ("Central Bank of Egypt", "EG", "البنك المركزي المصري|central bank of egypt"),
    ("Central Bank of Nigeria", "NG", "central bank of nigeria|=CBN"),
    ("Nigeria SEC", "NG", "securities and exchange commission of nigeria"),
    ("OSC", "CA", "=OSC|ontario securities commission"),
    # National institutions that newsrooms name without their country (each spelling names one country only)
    ("Japanese Ministry of Internal Affairs", "JP", "総務省"),
    ("National Police Agency Japan", "JP", "警察庁"),
    ("Personal Information Protection Commission Japan", "JP", "個人情報保護委員会"),
    ("Japanese Ministry of Finance", "JP", "財務省|財務大臣"),
    ("Consumer Affairs Agency Japan", "JP", "消費者庁"),
    ("Korea Communications Standards Commission", "KR", "방송통신심의위원회|방심위"),
    ("Korean Ministry of Science and ICT", "KR", "과학기술정보통신부|과기정통부"),
    ("Korean National Police Agency", "KR", "경찰청"),
    ("National Tax Service Korea", "KR", "국세청"),
    ("Korean Ministry of Economy and Finance", "KR", "기획재정부|기재부"),
    ("National People's Congress", "CN", "全国人大|全国人民代表大会|人大常委会"),
    ("Chinese Ministry of Public Security", "CN", "公安部|公安机关"),
    ("State Council of China", "CN", "国务院"),
    ("State Taxation Administration", "CN", "国家税务总局"),
    ("Supreme People's Court", "CN", "最高人民法院|最高法"),
    ("Federation Council", "RU", "совет* федерации|совфед*"),
    ("Investigative Committee of Russia", "RU", "следственн* комитет*|=СК РФ"),
    ("Federal Tax Service of Russia", "RU", "=ФНС"),
    ("Russian Ministry of Digital Development", "RU", "минцифры"),
    ("French Ministry of the Economy", "FR", "bercy"),
    ("French National Assembly", "FR", "assemblée nationale"),
    ("French financial prosecutor", "FR", "parquet national financier|=PNF"),
    ("DGFiP", "FR", "=DGFiP"),
    ("Bundestag", "DE", "bundestag|bundestages|bundestags"),
    ("Italian Chamber of Deputies", "IT", "camera dei deputati"),
    ("Italian Government", "IT", "palazzo chigi"),
    ("Spanish Congress", "ES", "congreso de los diputados"),
    ("Audiencia Nacional", "ES", "audiencia nacional"),
    ("Spanish Government", "ES", "moncloa"),
    ("Grand National Assembly of Türkiye", "TR", "=TBMM|türkiye büyük millet meclisi"),
    ("TSE", "BR", "=TSE|tribunal superior eleitoral|justiça eleitoral"),
)

# The remit of regulators whose field is one category of the taxonomy. When such a regulator stands in a sentence
# that carries regulation signals, its field counts toward the article's categories: an SEC complaint is about
# securities law even when the sentence only says "sued", a FinCEN order is about money laundering.
_SECURITIES = "securities_crypto_rules"
_AML = "aml_sanctions"
_TAX = "taxation"
_PRIVACY = "data_protection"
_CONTENT = "content_moderation"
_CENTRAL_BANK = "central_bank_policy"
REMITS: Final[dict[str, str]] = {
    **dict.fromkeys(
        ("SEC", "CFTC", "ESMA", "IOSCO", "AMF", "Consob", "CNMV", "CMVM", "CVM", "CNV", "SPK", "CSRC", "SEBI",
         "ASIC", "OSC", "Nigeria SEC"),
        _SECURITIES,
    ),
    **dict.fromkeys(
        ("FinCEN", "OFAC", "AMLA", "FATF", "Tracfin", "COAF", "Rosfinmonitoring", "MASAK", "AUSTRAC",
         "Financial Intelligence Unit Korea"),
        _AML,
    ),
    **dict.fromkeys(
        ("IRS", "HMRC", "Agenzia delle Entrate", "Spanish Tax Agency", "Receita Federal", "SAT", "AFIP",
         "Turkish Revenue Administration", "National Tax Agency Japan"),
        _TAX,
    ),
    **dict.fromkeys(
        ("CNIL", "Italian Data Protection Authority", "AEPD", "ANPD", "KVKK",
         "Personal Information Protection Commission"),
        _PRIVACY,
    ),
    **dict.fromkeys(
        ("Ofcom", "Arcom", "Agcom", "Roskomnadzor", "BTK", "Cyberspace Administration of China"), _CONTENT
    ),
    **dict.fromkeys(
        ("Federal Reserve", "European Central Bank", "Bank of England", "Banque de France", "Bundesbank",
         "Bank of Italy", "Bank of Spain", "Banco de Portugal", "Central Bank of Brazil", "Banxico", "BCRA",
         "Bank of Russia", "National Bank of Kazakhstan", "Central Bank of the Republic of Türkiye", "Bank of Japan",
         "People's Bank of China", "Bank of Korea", "RBI", "Central Bank of the UAE", "SAMA",
         "Central Bank of Egypt", "Central Bank of Nigeria", "BIS", "Basel Committee"),
        _CENTRAL_BANK,
    ),
}

COMPANIES: Final[tuple[OrgSpec, ...]] = (
    ("Telegram", None, "telegram|телеграм*|テレグラム|电报|텔레그램|تيليجرام|تلغرام|تيليغرام"),
    ("Meta", None, "=Meta|meta platforms|=META|メタ社|메타는|메타가|메타의|메타와|شركة ميتا|ميتا بلاتفورمز"),
    ("WhatsApp", None, "whatsapp|ватсап*|вотсап*|ワッツアップ|왓츠앱|واتساب"),
    ("Facebook", None, "facebook|фейсбук*|フェイスブック|脸书|페이스북|فيسبوك"),
    ("Instagram", None, "instagram|инстаграм*|インスタグラム|인스타그램|انستغرام|إنستغرام"),
    ("TikTok", None, "tiktok|тикток*|ティックトック|抖音|틱톡|تيك توك"),
    ("ByteDance", None, "bytedance|字节跳动|バイトダンス|바이트댄스"),
    ("Apple", None, "=Apple|=APPLE|эппл|аппл|アップル|苹果公司|苹果|애플|آبل|أبل"),
    ("Google", None, "google|alphabet|гугл|グーグル|谷歌|구글|جوجل|غوغل"),
    ("YouTube", None, "youtube|ютуб*|ユーチューブ|유튜브|يوتيوب"),
    ("Microsoft", None, "microsoft|майкрософт|マイクロソフト|微软|마이크로소프트|مايكروسوفت"),
    ("Amazon", None, "=Amazon|amazon web services|амазон|アマゾン|亚马逊|아마존|أمازون"),
    ("X", None, "twitter|твиттер*|ツイッター|推特|트위터|تويتر|=X Corp"),
    ("OpenAI", None, "openai|オープンAI|오픈AI"),
    ("Nvidia", None, "nvidia|エヌビディア|英伟达|엔비디아"),
    ("Tesla", None, "=Tesla|テスラ|特斯拉|테슬라"),
    ("Binance", None, "binance|бинанс*|バイナンス|币安|바이낸스|بينانس"),
    ("Coinbase", None, "coinbase|коинбейс|コインベース|코인베이스|كوينبيس"),
    ("Kraken", None, "=Kraken|クラーケン|크라켄"),
    ("OKX", None, "=OKX|=OKEx"),
    ("Bybit", None, "bybit|байбит"),
    ("Bitfinex", None, "bitfinex"),
    ("Tether", None, "tether|тезер|テザー|泰达|테더|تيثر"),
    ("Circle", None, "=Circle|サークル社|써클"),
    ("Ripple", None, "=Ripple|リップル社|瑞波|리플랩스|ريبل"),
    ("FTX", None, "=FTX"),
    ("Robinhood", None, "robinhood"),
    ("BlackRock", None, "blackrock|ブラックロック|贝莱德|블랙록|بلاك روك"),
    ("Grayscale", None, "grayscale"),
    ("Crypto.com", None, "crypto.com"),
    ("Gemini", None, "=Gemini exchange|gemini trust"),
    ("KuCoin", None, "kucoin"),
    ("HTX", None, "=HTX|huobi|火币"),
    ("Upbit", None, "upbit|업비트|dunamu|두나무"),
    ("Bithumb", None, "bithumb|빗썸"),
    ("Mercado Bitcoin", None, "mercado bitcoin"),
    ("Bitso", None, "bitso"),
    ("Revolut", None, "revolut"),
    ("PayPal", None, "paypal"),
    ("Visa", None, "=Visa Inc|visa and mastercard"),
    ("Mastercard", None, "mastercard"),
    ("Worldcoin", None, "worldcoin|world network"),
    ("Tornado Cash", None, "tornado cash"),
    ("Samsung", None, "samsung|삼성"),
    ("Kakao", None, "kakao|카카오"),
    ("Naver", None, "=Naver|네이버"),
    ("Tencent", None, "tencent|腾讯"),
    ("WeChat", None, "wechat|微信"),
    ("Alibaba", None, "alibaba|阿里巴巴"),
    ("Yandex", None, "yandex|яндекс*"),
    ("VK", None, "=VK|вконтакте"),
    ("Sberbank", None, "sberbank|сбербанк*|=Сбер"),
    ("Nubank", None, "nubank"),
    ("JPMorgan", None, "jpmorgan|jp morgan"),
    ("Goldman Sachs", None, "goldman sachs"),
    ("MicroStrategy", None, "microstrategy"),
    ("Signal", None, "=Signal messenger|signal app"),
    ("Discord", None, "=Discord"),
    ("US Chamber of Commerce", None, "us chamber of commerce|u.s. chamber of commerce|"
                                     "câmara de comércio dos estados unidos|câmara de comércio dos eua|"
                                     "cámara de comercio de estados unidos|cámara de comercio de ee.uu.|"
                                     "chambre de commerce des états-unis|us-handelskammer|"
                                     "торгов* палат* сша|abd ticaret odası|米国商工会議所|美国商会|미국 상공회의소|"
                                     "غرفة التجارة الأمريكية"),
)

# (canonical name, aliases); surnames are listed only where they are distinctive enough to stand alone.
KNOWN_PEOPLE: Final[tuple[tuple[str, str], ...]] = (
    ("Pavel Durov", "pavel durov|=Durov|павел дуров*|=Дуров|パベル・ドゥロフ|ドゥロフ|帕维尔·杜罗夫|杜罗夫|"
                    "파벨 두로프|두로프|بافيل دوروف|دوروف|pavel durov'un"),
    ("Changpeng Zhao", "changpeng zhao|=CZ|чанпэн чжао|チャンポン・ジャオ|赵长鹏|자오창펑|تشانغبينغ تشاو"),
    ("Gary Gensler", "gary gensler|=Gensler|гэри генслер*|=Генслер|ゲンスラー|根斯勒|겐슬러|غاري غينسلر|جينسلر"),
    ("Paul Atkins", "paul atkins|=Atkins|пол аткинс|ポール・アトキンス|阿特金斯|폴 앳킨스|بول أتكينز"),
    ("Hester Peirce", "hester peirce|хестер пирс|ヘスター・パース|海丝特·皮尔斯|헤스터 피어스"),
    ("Brian Armstrong", "brian armstrong|брайан армстронг|ブライアン・アームストロング|布莱恩·阿姆斯特朗|브라이언 암스트롱"),
    ("Elon Musk", "elon musk|=Musk|илон маск*|イーロン・マスク|马斯克|일론 머스크|إيلون ماسك"),
    ("Mark Zuckerberg", "mark zuckerberg|=Zuckerberg|марк цукерберг*|ザッカーバーグ|扎克伯格|저커버그|زوكربيرغ"),
    ("Tim Cook", "tim cook|тим кук|ティム・クック|库克|팀 쿡|تيم كوك"),
    ("Sam Bankman-Fried", "sam bankman-fried|bankman-fried|=SBF|сэм бэнкман-фрид|バンクマン・フリード|班克曼-弗里德|"
                          "뱅크먼-프리드|بانكمان فريد"),
    ("Do Kwon", "do kwon|до квон|ド・クォン|权道亨|권도형"),
    ("Christine Lagarde", "christine lagarde|=Lagarde|кристин лагард|лагард|ラガルド|拉加德|라가르드|لاغارد"),
    ("Jerome Powell", "jerome powell|джером пауэлл*|パウエル|鲍威尔|파월|باول"),
    ("Donald Trump", "donald trump|=Trump|дональд трамп*|=Трамп|トランプ|特朗普|트럼프|ترامب"),
    ("Emmanuel Macron", "emmanuel macron|=Macron|эммануэль макрон|=Макрон|マクロン|马克龙|마크롱|ماكرون"),
    ("Vladimir Putin", "vladimir putin|=Putin|владимир путин*|=Путин|プーチン|普京|푸틴|بوتين"),
    ("Elvira Nabiullina", "elvira nabiullina|nabiullina|эльвира набиуллина|набиуллин*|ナビウリナ|纳比乌琳娜|나비울리나"),
    ("Anatoly Aksakov", "anatoly aksakov|анатолий аксаков|=Аксаков"),
    ("Nayib Bukele", "nayib bukele|=Bukele|найиб букеле|ブケレ|布克尔|부켈레|بوكيلي"),
    ("Javier Milei", "javier milei|=Milei|хавьер милей|ミレイ|米莱|밀레이|خافيير ميلي"),
    ("Luiz Inácio Lula da Silva", "lula da silva|=Lula|луис инасиу лула|卢拉|룰라"),
    ("Gabriel Galípolo", "gabriel galípolo|galípolo"),
    ("Roberto Campos Neto", "roberto campos neto|campos neto"),
    ("Kazuo Ueda", "kazuo ueda|植田和男|植田総裁|우에다 가즈오"),
    ("Andrew Bailey", "andrew bailey"),
    ("Vitalik Buterin", "vitalik buterin|=Buterin|виталик бутерин|ヴィタリック・ブテリン|维塔利克·布特林|비탈릭 부테린|فيتاليك بوتيرين"),
    ("Justin Sun", "justin sun|джастин сан|ジャスティン・サン|孙宇晨|저스틴 선|جاستن صن"),
    ("Richard Teng", "richard teng|ричард тенг|リチャード・テン|滕一锋|리처드 텅"),
    ("Michael Saylor", "michael saylor|=Saylor|майкл сэйлор|マイケル・セイラー|迈克尔·塞勒|마이클 세일러"),
    ("Brad Garlinghouse", "brad garlinghouse|garlinghouse|брэд гарлингхаус|ガーリングハウス|加林豪斯|갈링하우스"),
    ("Paolo Ardoino", "paolo ardoino|=Ardoino|паоло ардоино|アルドイーノ|阿尔多伊诺|아르도이노"),
    ("Jeremy Allaire", "jeremy allaire|=Allaire|джереми аллер|アレール|阿莱尔|제레미 알레어"),
    ("Kassym-Jomart Tokayev", "kassym-jomart tokayev|=Tokayev|токаев*|トカエフ|托卡耶夫|토카예프|توكاييف"),
    ("Shou Zi Chew", "shou zi chew|周受资|쇼우 지 추"),
    ("Sam Altman", "sam altman|сэм альтман|サム・アルトマン|奥尔特曼|샘 올트먼"),
    ("Ursula von der Leyen", "ursula von der leyen|von der leyen|урсула фон дер ляйен|フォンデアライエン|冯德莱恩|폰데어라이엔"),
    ("Janet Yellen", "janet yellen|=Yellen|джанет йеллен|イエレン|耶伦|옐런"),
    ("Scott Bessent", "scott bessent|=Bessent|скотт бессент|ベッセント|贝森特|베센트"),
    ("Cynthia Lummis", "cynthia lummis|=Lummis|синтия ламмис|ルミス|鲁米斯|루미스"),
    ("Elizabeth Warren", "elizabeth warren|элизабет уоррен|ウォーレン|沃伦|워런"),
    ("Xi Jinping", "xi jinping|си цзиньпин*|習近平|习近平|시진핑"),
    ("Recep Tayyip Erdoğan", "recep tayyip erdoğan|=Erdoğan|=Erdogan|эрдоган*|エルドアン|埃尔多安|에르도안|أردوغان"),
    ("Lee Jae-myung", "lee jae-myung|이재명|李在明"),
    ("Yoon Suk Yeol", "yoon suk yeol|윤석열|尹锡悦"),
    ("Shigeru Ishiba", "shigeru ishiba|石破茂|石破首相"),
    ("Rostin Behnam", "rostin behnam|=Behnam"),
    ("Caroline Pham", "caroline pham"),
)

# Role words that introduce a person's name nearby (before or after). Lower-case, matched as whole words.
ROLE_WORDS: Final[dict[str, str]] = {
    "en": "ceo|founder|co-founder|cofounder|chief executive|chairman|chairwoman|chair|minister|president|governor|"
          "commissioner|senator|representative|lawmaker|judge|prosecutor|director|spokesperson|spokesman|head of",
    "pt": "ceo|fundador|fundadora|cofundador|cofundadora|presidente|ministro|ministra|governador|governadora|"
          "diretor|diretora|senador|senadora|deputado|deputada|juiz|juíza|procurador|procuradora|porta-voz|chefe",
    "es": "ceo|fundador|fundadora|cofundador|cofundadora|presidente|presidenta|ministro|ministra|gobernador|"
          "gobernadora|director|directora|senador|senadora|diputado|diputada|juez|jueza|fiscal|portavoz|jefe",
    "fr": "pdg|ceo|fondateur|fondatrice|cofondateur|président|présidente|ministre|gouverneur|gouverneure|directeur|"
          "directrice|sénateur|sénatrice|député|députée|juge|procureur|porte-parole|patron",
    "de": "ceo|gründer|gründerin|mitgründer|chef|chefin|vorsitzende|vorsitzender|präsident|präsidentin|minister|"
          "ministerin|gouverneur|direktor|direktorin|senator|abgeordnete|abgeordneter|richter|richterin|sprecher",
    "it": "ceo|fondatore|fondatrice|cofondatore|presidente|ministro|ministra|governatore|direttore|direttrice|"
          "senatore|senatrice|deputato|deputata|giudice|procuratore|portavoce|amministratore delegato",
    "ru": "ceo|основател*|сооснователь|глав*|председател*|президент*|министр*|губернатор*|директор*|сенатор*|"
          "депутат*|судья|прокурор*|пресс-секретар*",
    "tr": "ceo|kurucu*|başkan*|bakan*|vali*|direktör*|senatör*|milletvekil*|hakim*|savcı*|sözcü*|genel müdür*",
}

_NAME_WORD = r"[A-ZÀ-ÖØ-ÞĀ-ſА-ЯЁ][a-zà-öø-ÿā-ſа-яё'’\-]+"
_PARTICLE = r"(?:de|da|do|dos|das|del|von|van|der|di|la|le|bin|al)"
_NAME = re.compile(rf"{_NAME_WORD}(?:\s+(?:{_PARTICLE}\s+)?{_NAME_WORD}){{1,2}}")

# Capitalised words that start sentences or name things, never people; a candidate containing one is dropped.
_NOT_NAME_WORDS: Final[frozenset[str]] = frozenset(
    """the a an in on at of for and but as by with from this that these those when after before during while
    according de do da o a os as um uma em no na nos nas e para por com segundo como el la los las un una en
    y con según le les des du une et selon der die das ein eine und nach laut il lo gli i di del della
    e secondo bu ve ile göre в и на по с к о для согласно ministry ministério ministerio ministère ministerium
    ministero министерство bakanlığı commission comissão comisión bank banco banque securities exchange
    authority autoridade autorité república republic república federal national nacional federation
    união unión union european europeia europea europeo europäische câmara chamber cámara chambre congress
    congresso congreso senate senado court tribunal supreme inc corp ltd group grupo holdings labs foundation
    january february march april may june july august september october november december janeiro fevereiro
    março abril maio junho julho agosto setembro outubro novembro dezembro enero febrero marzo mayo junio
    julio septiembre octubre noviembre diciembre monday tuesday wednesday thursday friday saturday sunday
    crypto bitcoin ethereum blockchain token coin""".split()  # noqa: SIM905  (a word list reads better as text)
)
# fmt: on


def people_terms() -> tuple[tuple[str, str], ...]:
    """``(term, canonical name)`` for every alias of every known person."""
    return tuple((alias, name) for name, aliases in KNOWN_PEOPLE for alias in aliases.split("|") if alias)


def find_role_names(text: str, role_start: int, role_end: int, rejected: frozenset[str]) -> str | None:
    """Return the person named right after (or right before) the role word at ``text[role_start:role_end]``.

    "CEO do Telegram, Pavel Durov" and "Pavel Durov, fundador" both give "Pavel Durov"; ``rejected`` holds
    lower-cased organisation and place names that must not be mistaken for people.
    """
    after = text[role_end : role_end + 60]
    before = text[max(0, role_start - 40) : role_start]
    for window, pick_last in ((after, False), (before, True)):
        matches = list(_NAME.finditer(window))
        if not matches:
            continue
        ordered = reversed(matches) if pick_last else iter(matches)
        for match in ordered:
            candidate = match.group(0)
            words = candidate.split()
            if any(word.lower().strip("'’-") in _NOT_NAME_WORDS for word in words):
                continue
            if candidate.lower() in rejected or any(word.lower() in rejected for word in words):
                continue
            # A name sits next to its role: after the role only a short "of Telegram," may come between.
            gap = window[: match.start()] if not pick_last else window[match.end() :]
            if len(gap) > 30 or any(mark in gap for mark in ".;:!?"):
                continue
            return candidate
    return None
