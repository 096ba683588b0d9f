"""The regulation taxonomy: categories and the multilingual terms that signal them.

Categories (see ``TAXONOMY.md`` beside this module for the full definitions and the hard negatives):

``legislation``
    Laws, bills, decrees and regulatory frameworks being drafted, debated, passed or taking effect.
``enforcement``
    Authorities acting against someone: charges, fines, arrests, raids, bans, seizures, cease-and-desist orders,
    regulator lawsuits. A lawsuit between private parties is *not* enforcement.
``licensing_compliance``
    Licences, registrations, authorisations, local-representative and office requirements, KYC, compliance
    programmes and audits demanded by an authority.
``content_moderation``
    Authorities controlling what platforms carry: illegal content, takedowns, blocked channels or apps,
    disinformation, fake accounts, online-safety duties.
``data_protection``
    Privacy and personal-data rules and their authorities (GDPR, LGPD, KVKK, PIPA...), data localisation.
``aml_sanctions``
    Anti-money-laundering and counter-terrorist-financing rules, the Travel Rule, FATF lists, sanctions regimes.
``taxation``
    Taxes on crypto, digital services or platforms, tax reporting duties, tax-authority actions.
``securities_crypto_rules``
    Securities law applied to crypto and markets: token classification, ETF approvals, stablecoin and
    exchange rules, market-abuse rules, MiCA-style crypto-asset regimes.
``central_bank_policy``
    Central banks *regulating*: CBDCs and their rules, bans or limits on banks' crypto business, prudential
    (Basel) treatment of crypto, payment-system rules. A plain interest-rate decision is NOT this category and
    is not regulation: it is monetary policy, a hard negative.

Each term carries a weight tier: ``STRONG`` terms are regulation on their own, ``MEDIUM`` ones mostly are,
``WEAK`` ones ("rules", "investigation", "ban") only count fully when an authority is named in the same
sentence (see ``flagger``). Term syntax (shared with the other lexicon modules, parsed by ``matcher``):

* ``term`` matches as a whole word in Latin and Cyrillic scripts (case-insensitive);
* ``term*`` lets the word continue (inflection: ``закон*`` matches ``законопроект``, ``düzenleme*``
  matches ``düzenlemeleri``); a ``*`` inside a term lets that word inflect (``цифров* рубл*`` matches
  ``цифрового рубля``: the matcher spells out the usual Russian or German endings);
* ``=TERM`` matches case-sensitively (acronyms such as ``=SEC`` that are words in some language);
* Chinese, Japanese and Korean terms match anywhere (no word boundaries in those scripts); Arabic terms
  need no left boundary because of attached clitics (و، ب، ل، ال).
"""

from __future__ import annotations

from typing import Final

CATEGORIES: Final[tuple[str, ...]] = (
    "legislation",
    "enforcement",
    "licensing_compliance",
    "content_moderation",
    "data_protection",
    "aml_sanctions",
    "taxation",
    "securities_crypto_rules",
    "central_bank_policy",
)

STRONG: Final = 1.0
MEDIUM: Final = 0.6
WEAK: Final = 0.35

# fmt: off
# The term tables stay as written, one language a line: the formatter would give every alternative its own line.
# (category, weight, signal label, {language: "term|term|..."}) — the label names the concept in English so
# evidence reads the same in every language; the surface form found in the text is kept beside it.
SignalSpec = tuple[str, float, str, dict[str, str]]

SIGNALS: Final[tuple[SignalSpec, ...]] = (
    # ---------------------------------------------------------------- legislation
    ("legislation", STRONG, "bill", {
        "en": "bill would|the bill|a bill|bill that|bills that|bill to|draft law|draft bill|senate bill|house bill|"
              "stablecoin bill|crypto bill|market structure bill",
        "pt": "projeto de lei|projetos de lei|PL das|anteprojeto|minuta de lei|medida provisória",
        "es": "proyecto de ley|proyectos de ley|anteproyecto|iniciativa de ley",
        "fr": "projet de loi|proposition de loi|projets de loi",
        "de": "gesetzentwurf*|gesetzesentwurf*|referentenentwurf*|gesetzesvorlage*",
        "it": "disegno di legge|proposta di legge|ddl|decreto legge|decreto-legge",
        "ru": "законопроект*",
        "tr": "kanun teklif*|yasa tasarı*|kanun tasarı*|yasa teklif*",
        "ja": "法案|改正案",
        "zh": "法案|草案|征求意见稿",
        "ko": "법안|개정안|발의",
        "ar": "مشروع قانون|مشروع القانون|مشروع قرار",
    }),
    ("legislation", MEDIUM, "law", {
        "en": "law|laws|legislation|legislative|lawmakers|legislators|legislature|statute|act into law|"
              "signed into law|enacted|decree|executive order|regulatory framework|legal framework|"
              "new rules|rulebook|regulations|parliament passed|parliament approved|congress passed",
        "pt": "lei|leis|legislação|legislativo|legisladores|parlamentares|deputados|senadores|decreto|"
              "marco legal|marco regulatório|regulamentação|regulamentar|sancionou|sancionada|sancionado|"
              "novas regras|regulação",
        "es": "ley|leyes|legislación|legislativo|legisladores|diputados|senadores|decreto|marco legal|"
              "marco regulatorio|regulación|reglamento|reglamentación|normativa|promulgó|promulgada|"
              "nuevas reglas|nuevas normas",
        "fr": "loi|lois|législation|législatif|législateurs|députés|sénateurs|décret|cadre réglementaire|"
              "cadre juridique|réglementation|règlement|promulgué|promulguée|nouvelles règles",
        "de": "gesetz|gesetze|gesetzes|gesetzgeb*|gesetzlich*|abgeordnete*|verordnung*|rechtsrahmen*|"
              "regulierung*|regulier*|regelwerk*|neue regeln|novelle*|bundestag|bundesrat",
        "it": "legge|leggi|legislazione|legislativo|legislatori|parlamentari|deputati|senatori|decreto|"
              "quadro normativo|quadro regolamentare|regolamentazione|regolamento|normativa|nuove regole|"
              "approvato dal parlamento",
        "ru": "закон|закона|законе|законом|законы|законов|законодател*|госдум*|депутат*|указ|указа|указом|"
              "постановлени*|регулировани*|нормативн*|правовой баз*|новые правила",
        "tr": "yasa*|yürürlüğe*|yasal düzenleme*|kanun|kanunu|kanunun|mevzuat*|düzenleme*|"
              "tbmm|meclis*|milletvekil*|kararname*|yönetmelik*|resmi gazete*",
        "ja": "法律|法整備|法改正|立法|規制|規則|政令|省令|国会|施行|成立",
        "zh": "法律|法规|立法|监管|規管|监管框架|条例|规定|新规|人大|国会|议会|生效|颁布",
        "ko": "법률|입법|규제|규정|시행령|국회|통과|시행",
        "ar": "قانون*|القانون*|قوانين|تشريع*|البرلمان|مجلس النواب|مجلس الشيوخ|الكونغرس|لوائح|لائحة|"
              "مرسوم|تنظيم*|الإطار التنظيمي|إطار تنظيمي|قواعد جديدة",
    }),
    ("legislation", WEAK, "rules", {
        "en": "approved|approves|adopted|passed|rescinded|guidance|rule|rules|regulation|regulatory|regulators|regulator|policy|policymakers|proposal|consultation",
        "pt": "aprovou|aprovado|aprovada|aprova|reforma|exige|exigem|obriga|regra|regras|regulatório|regulatória|reguladores|regulador|norma|normas|proposta|consulta pública",
        "es": "aprobó|aprobado|aprobada|aprueba|reforma|exige|obliga|regla|reglas|regulatorio|regulatoria|reguladores|regulador|norma|normas|propuesta|consulta pública",
        "fr": "adopté|adoptée|adopte|a voté|impose|oblige|obliger|règle|règles|réglementaire|régulateurs|régulateur|norme|normes|proposition|consultation",
        "de": "verabschiedet|beschlossen|beschließt|verlangt|verpflichtet|regel|regeln|regulator*|vorschrift*|aufsicht*|vorschlag|konsultation",
        "it": "approvato|approvata|approva|varato|obbliga|obbligo|impone|regola|regole|regolamentare|regolatori|regolatore|norma|norme|proposta|consultazione",
        "ru": "принял*|одобрил*|утвердил*|разреши*|позволил*|потребовал*|обязал*|правил*|регулятор*|норм*|предложени*|инициатив*",
        "tr": "kabul etti|onayladı|onaylandı|zorunlu kıldı|şart*|kural*|düzenleyici*|regülasyon*|regülatör*|teklif*",
        "ja": "可決|承認|義務|公表|ルール|規制当局|当局|提案",
        "zh": "通过|批准|审议|要求|规则|规定|监管机构|当局|提案",
        "ko": "의결|승인|의무|발표|규칙|당국|규제 당국|제안",
        "ar": "أقر|وافق|ألزم|تلزم|فرضت|قواعد|القواعد|الجهات التنظيمية|الهيئة التنظيمية|الجهة التنظيمية|مقترح",
    }),
    # ---------------------------------------------------------------- enforcement
    ("enforcement", STRONG, "penalty", {
        "en": "convicted|jailed|prison|shut down|seized servers|fined|fines|a fine of|penalty|penalties|cease-and-desist|cease and desist|enforcement action|"
              "indicted|indictment|arrested|extradited|extradition|crackdown|seized|seizure|raided|"
              "pleaded guilty|sentenced|charged with|criminal charges|settled charges|sanctioned for",
        "pt": "condenou|condenados|prisão preventiva|denúncia|réus|réu|bloqueio de bens|desarticul*|multa|multas|multou|multada|multado|penalidade|penalidades|indiciou|indiciaram|indiciado|"
              "indiciamento|denunciado|preso|presos|prisão|extradição|apreensão|apreendeu|operação da polícia|"
              "mandados de busca|condenado|condenação|sanção administrativa|processo sancionador",
        "es": "procesamiento|procesados|procesa a|embargo|detuvo|detuvieron|desarticul*|condena|condenó|condenados|prisión|multa|multas|multó|multada|multado|sanción|sancionó|imputado|imputados|acusación formal|"
              "detenido|detenidos|arrestado|extradición|incautó|incautación|allanamiento|condenado|"
              "ofensiva contra",
        "fr": "condamn*|contrôle judiciaire|peines de prison|prison ferme|sanctionne|sanctionnée|démantel*|interdit de quitter|amende|amendes|sanction|sanctionné|mis en examen|inculpé|mise en examen|interpellé|arrêté|"
              "extradition|saisie|perquisition|condamné|mise en demeure",
        "de": "abgeschaltet|stillgelegt|sichergestellt|haftstrafe*|verhaftet|ausreisesperre|bußgeld*|geldstrafe*|strafe|strafen|angeklagt|anklage*|festgenommen|festnahme*|"
              "beschlagnahm*|razzia*|durchsuchung*|verurteilt|auslieferung*|abmahnung*",
        "it": "condann*|sanzion*|sequestr*|arrest*|pene|pena detentiva|oscurament*|oscurat*|ordinato il blocco|smantellat*|multa|multe|multato|multata|sanzione|sanzioni pecuniarie|sanzionato|incriminato|rinviato a giudizio|"
              "arrestato|arresto|estradizione|sequestro|sequestrato|perquisizion*|condannato",
        "ru": "под стражу|уголовн* дел*|посадил*|лишени* свободы|мошенничеств*|обвинени* основателю|предъявил* обвинени*|штраф*|оштрафова*|обвинени*|арестова*|арест*|задержан*|экстрадици*|изъят*|обыск*|"
              "осужден*|приговор*|уголовное дело|уголовного дела|возбудил*",
        "tr": "suç duyurusu*|yakalandı|tutuklandı|hapis*|yurt dışı çıkış yasağı|ceza kesildi|cezası verdi|para cezası|cezası|idari para|gözaltı*|tutukla*|iddianame*|suçlama*|el koy*|el konul*|"
              "baskın*|mahkum*|iade edil*|soruşturma başlat*",
        "ja": "訴追|出国を禁じ|摘発|懲役|実刑|書類送検|罰金|制裁金|課徴金|起訴|逮捕|押収|家宅捜索|行政処分|業務改善命令|業務停止命令|有罪",
        "zh": "禁止离开|拘捕|捣毁|抓获|判刑|刑事|罚款|罚金|处罚|起诉|逮捕|拘留|查封|没收|搜查|判处|定罪|立案",
        "ko": "구속 기소|재판에 넘겼|징역|검거|형사 처벌|벌금|과징금|과태료|기소|체포|구속|압수|압수수색|제재 조치|영업정지|유죄",
        "ar": "ضبط|تضبط|ضبطت|إلى المحاكمة|يوجه اتهامات|توجيه اتهامات|مغادرة|السجن|توقف عصابة|أوقفت|غرامة|غرامات|عقوبة مالية|اتهام*|وجهت اتهامات|اعتقال|القبض على|توقيف|تسليم|مصادرة|"
              "صادرت|مداهمة|إدانة|حكم بالسجن|دعوى قضائية ضد",
    }),
    ("enforcement", WEAK, "action", {
        "en": "criminal|crimes|fraud charges|investigators|charges|charged|sued|sues|lawsuit|complaint|investigation|probe|prosecutors|prosecution|"
              "subpoena|ban|banned|bans|blocked|ordered|violations|violated|illegal|unlawful|police",
        "pt": "crime|crimes|criminoso|criminosos|fraude|fraudes|acusações|acusado|acusada|processou|processo|ação judicial|investigação|inquérito|"
              "promotores|procuradores|proibição|proibiu|proibido|bloqueou|ordenou|violação|violações|ilegal|"
              "ilegais|ilícito|ilícitas|ilícitos|polícia|escrutínio",
        "es": "delito|delitos|fraude|estafa|cargos|acusado|acusada|demandó|demanda|investigación|pesquisa|fiscales|fiscalía|prohibición|"
              "prohibió|prohibido|bloqueó|ordenó|violación|violaciones|ilegal|ilegales|ilícito|policía",
        "fr": "enquêteurs|escroquerie|délit|criminel|criminels|accusations|accusé|poursuivi|poursuites|plainte|enquête|procureurs|parquet|interdiction|"
              "interdit|bloqué|ordonné|violation|violations|illégal|illégale|illicite|police|gendarmerie",
        "de": "ermittler|betrug*|straftat*|strafbar*|kriminell*|vorwürf*|verklagt|klage|ermittlung*|staatsanwalt*|verbot*|verboten|gesperrt|angeordnet|"
              "verstoß*|verstöße*|illegal*|rechtswidrig*|polizei",
        "it": "truffa|truffe|reato|reati|illeciti|indagat*|accuse|accusato|citato in giudizio|intentato una causa|indagine|inchiesta|procura|pubblici ministeri|divieto|"
              "vietato|bloccato|ordinato|violazione|violazioni|illegale|illegali|illecito|polizia|guardia di finanza",
        "ru": "мошенни*|преступн*|следстви*|следовател*|обвин*|иск|иска|расследовани*|проверк*|прокурор*|прокуратур*|запрет*|запрети*|заблокирова*|"
              "блокировк*|нарушени*|незаконн*|полици*|мвд|следствен*",
        "tr": "suçla*|dolandırıcılık*|suç*|dava*|soruşturma*|inceleme*|savcı*|yasak*|yasakla*|engelle*|ihlal*|yasa dışı|"
              "kaçak|polis*|emniyet",
        "ja": "容疑|疑い|犯罪|詐欺|訴訟|提訴|告発|捜査|調査|検察|禁止|遮断|違反|違法|警察|命令",
        "zh": "犯罪|涉嫌|诈骗|指控|诉讼|起诉书|调查|检察|禁止|封禁|屏蔽|违反|违法|非法|警方|公安|命令",
        "ko": "혐의|범죄|사기|혐의|소송|고발|수사|조사|검찰|금지|차단|위반|불법|경찰|명령",
        "ar": "احتيال|جريمة|جرائم|المتهمين|متهمين|تهم|اتهامات|دعوى|تحقيق|التحقيق|النيابة|المدعي العام|حظر|حظرت|منع|حجب|انتهاك*|مخالف*|"
              "غير قانوني*|الشرطة",
    }),
    # ---------------------------------------------------------------- licensing & compliance
    ("licensing_compliance", STRONG, "licence", {
        "en": "legal representative|license|licence|licensed|licences|licenses|licensing|unlicensed|"
              "authorisation|authorization|authorised|authorized|vasp|casp|"
              "local representative|local office|know-your-customer|kyc|permit",
        "pt": "representante legal|licença|licenças|licenciamento|licenciada|licenciado|sem licença|"
              "autorização|autorizada|autorizado|representante local|representante no|escritório local|kyc",
        "es": "representante legal|representación legal|licencia|licencias|licenciamiento|sin licencia|autorización|"
              "autorizada|autorizado|representante local|oficina local|kyc",
        "fr": "représentant légal|licence|licences|agrément|agréé|agréée|autorisation|autorisé|"
              "représentant local|bureau local|psan|kyc",
        "de": "gesetzliche* vertreter*|vertretung im land|lizenz*|erlaubnis*|zulassung*|genehmigung*|genehmigt|"
              "lokaler vertreter|kyc",
        "it": "rappresentante legale|licenza|licenze|autorizzazione|autorizzata|autorizzato|"
              "rappresentante locale|ufficio locale|kyc",
        "ru": "законн* представител*|лиценз*|аккредитац*|представительств*|местного представителя|kyc",
        "tr": "yasal temsilci*|yerel temsilci*|lisans*|ruhsat*|yetkilendir*|faaliyet izni|temsilcilik*|"
              "yerel ofis*|kyc",
        "ja": "法的代表|法定代理人|現地代表|ライセンス|免許|認可|許可|現地事務所|本人確認",
        "zh": "法定代表|法律代表|牌照|许可证|执照|许可|无牌|代表处|本地代表|办事处|实名",
        "ko": "법적 대리인|국내 대리인|라이선스|인가|허가|무허가|현지 사무소|본인확인",
        "ar": "ممثل قانوني|ممثلا قانونيا|ترخيص*|رخصة|الرخصة|تراخيص|تصريح|ممثل محلي|مكتب محلي",
    }),
    # Registration is licensing when it is the story ("FCA adds exchange to its register"), but an enforcement or
    # securities story mentions it in passing ("securities never registered with the agency"): it flags like a
    # strong signal and names its category with a medium weight (``CATEGORY_WEIGHTS``).
    ("licensing_compliance", STRONG, "registration", {
        "en": "registration|registered with|register of",
        "pt": "registro|registrada|registrado",
        "es": "registro|registrada|registrado",
        "fr": "enregistrement|enregistre|enregistré|enregistrée",
        "de": "registrierung*|registriert|ins register",
        "it": "registrazione|registrata|registrato|iscrizione",
        "ru": "реестр*|регистрац*|зарегистрирова*",
        "tr": "kayıt*|tescil*",
        "ja": "登録|無登録|登録制",
        "zh": "注册|登记",
        "ko": "등록|미등록|사업자 신고|신고 수리|미신고|신고하지 않",
        "ar": "تسجيل|مسجلة",
    }),
    # Duties in general ("requirements", "must comply", "obliged to") come with every kind of rule: alone they do
    # not make a story about licensing, so they are weak (``flagger`` names a category after a weak concept only
    # when nothing stronger names one).
    ("licensing_compliance", WEAK, "compliance duty", {
        "en": "compliance|comply with|unregistered",
        "pt": "representação|conformidade|compliance|cumprir as regras|exigências|obrigadas a|obrigados a",
        "es": "cumplimiento normativo|cumplimiento|cumplir con|requisitos|obligadas a|obligados a",
        "fr": "correspondant|conformité|se conformer|exigences|obligés de|obligées de",
        "de": "niederlassung*|compliance|einhaltung*|auflagen|anforderungen|verpflichtet",
        "it": "rappresentanza|conformità|adempimenti|requisiti|obbligate a|obbligati a",
        "ru": "представител*|разрешени*|соответстви* требованиям|комплаенс*|требовани*|обязаны",
        "tr": "temsilci*|izin*|uyum*|yükümlülük*|zorunlu*",
        "ja": "代理人|コンプライアンス|法令遵守|義務付け",
        "zh": "合规|遵守|义务",
        "ko": "신고|준법|컴플라이언스|규정 준수|대리인|의무화",
        "ar": "الامتثال|امتثال|ملزمة ب|ملزمون ب|متطلبات",
    }),
    # ---------------------------------------------------------------- content moderation
    # Content moderation is regulation when an authority demands it: the strong terms name illegal content,
    # the laws and the blocking orders; the medium ones name what any platform also does on its own (deleting
    # fake accounts, removing posts), so they need company in the article to flag it.
    ("content_moderation", STRONG, "content control", {
        "en": "illegal content|unlawful content|criminal content|illicit content|harmful content|terrorist content|"
              "hateful content|content moderation obligations|online safety|digital services act|censorship|"
              "blocked channels|block channels|control over content|content rules|block access to|"
              "blocking order|blocking orders|block their websites|block the websites|pirate sites|piracy sites|"
              "takedown order|takedown orders|removal order|removal orders",
        "pt": "conteúdo ilegal|conteúdo ilícito|conteúdos ilegais|conteúdos ilícitos|conteúdo criminoso|"
              "conteúdos criminosos|conteúdo nocivo|bloquear canais|canais ilícitos|controle sobre o conteúdo|"
              "controle do conteúdo|censura|bloqueio do|bloqueio de sites|bloquear sites|sites piratas|"
              "ordem de remoção|retirada de conteúdo",
        "es": "contenido ilegal|contenido ilícito|contenidos ilegales|contenidos ilícitos|contenido delictivo|"
              "contenidos delictivos|contenido criminal|contenido dañino|bloquear canales|censura|"
              "bloquear el acceso|bloqueo de webs|bloqueo de sitios|bloquear webs|"
              "bloquear sitios|webs piratas|sitios piratas|contenido pirata|orden de retirada",
        "fr": "contenus illicites|contenu illicite|contenus illégaux|contenu illégal|contenus criminels|"
              "contenu criminel|contenus terroristes|contenus haineux|contenu haineux|censure|dsa|"
              "règlement sur les services numériques|haine en ligne|blocage des sites|bloquer des sites|"
              "bloquer l'accès|sites pirates|retrait des contenus|retirer des contenus",
        "de": "illegale inhalte|illegaler inhalte|rechtswidrige inhalte|rechtswidriger inhalte|kriminelle inhalte|"
              "kriminellen inhalte|strafbare inhalte|strafbarer inhalte|hassinhalte|netzdg|digital services act|"
              "gesetz über digitale dienste|zensur|netzsperre*|sperrverfügung*|websites sperren|"
              "piraterieseiten|inhalte entfernen|inhalte zu entfernen",
        "it": "siti pirata|blocco dei siti|blocco di siti|bloccare i siti|contenuti illegali|contenuto illegale|"
              "contenuti illeciti|contenuti criminali|contenuti d'odio|incitamento all'odio|censura|"
              "rimuovere contenuti|rimozione dei contenuti",
        "ru": "запрещенн* информаци*|запрещенн* материал*|запрещенн* контент*|противоправн* контент*|"
              "незаконн* контент*|преступн* контент*|экстремистск*|блокировк* каналов|заблокировать каналы|"
              "блокировк* сайт*|заблокировать сайт*|пиратск* сайт*|цензур*|удалени* контента|удалить контент",
        "tr": "yasa dışı içerik*|zararlı içerik*|suç içeren içerik*|içerik kaldır*|içeriklerin kaldırılması|"
              "erişim engel*|erişim yasağı|sansür*|sosyal medya yasası",
        "ja": "違法コンテンツ|有害コンテンツ|違法投稿|違法情報|有害情報|犯罪コンテンツ|削除要請|削除命令|"
              "削除対応を義務|検閲|情報流通プラットフォーム|サイトブロッキング|海賊版サイト",
        "zh": "非法内容|违法内容|违法信息|有害信息|删除违法|屏蔽网站|盗版网站|审查|封号|网络安全法",
        "ko": "불법 정보|불법 콘텐츠|유해 콘텐츠|불법 사이트|도박 사이트|접속 차단|삭제 요청|삭제 명령|"
              "콘텐츠 심의|검열",
        "ar": "المحتوى غير القانوني|محتوى غير قانوني|المحتوى غير المشروع|المحتوى الإجرامي|محتوى إجرامي|"
              "محتوى ضار|الرقابة على المحتوى|حجب القنوات|حجب المواقع|حجب مواقع|رقابة",
    }),
    ("content_moderation", MEDIUM, "content action", {
        "en": "content moderation|moderate content|moderation|remove content|take down|takedown|takedowns|"
              "disinformation|misinformation|hate speech|fake accounts|extremist content|remove posts|"
              "removal of posts",
        "pt": "moderação de conteúdo|moderação|remover conteúdo|remoção de conteúdo|retirar conteúdo|"
              "derrubar perfis|desinformação|discurso de ódio|contas falsas|perfis falsos|fake news",
        "es": "moderación de contenido|moderación|eliminar contenido|retirar contenido|desinformación|"
              "discurso de odio|cuentas falsas|perfiles falsos|bulos",
        "fr": "modération des contenus|modération de contenu|modération|désinformation|discours de haine|"
              "faux comptes|suppression des contenus",
        "de": "inhaltemoderation|moderation von inhalten|moderation|löschung*|desinformation|hassrede|hetze|"
              "fake-konten|gefälschte konten",
        "it": "moderazione dei contenuti|moderazione|disinformazione|discorsi d'odio|account falsi|profili falsi",
        "ru": "удалить|удалени*|модераци*|дезинформаци*|фейк*",
        "tr": "içerik moderasyon*|dezenformasyon*|nefret söylemi|sahte hesap*",
        "ja": "削除|コンテンツ削除|投稿削除|偽情報|誤情報|ヘイトスピーチ|偽アカウント",
        "zh": "内容审核|删除内容|删除|下架|虚假信息|谣言|仇恨言论|虚假账号",
        "ko": "삭제|콘텐츠 삭제|게시물 삭제|허위 정보|가짜뉴스|혐오 표현|가짜 계정|차단",
        "ar": "حذف المحتوى|إزالة المحتوى|إزالة|المعلومات المضللة|معلومات مضللة|خطاب الكراهية|حسابات وهمية|"
              "الحسابات الوهمية|حسابات مزيفة",
    }),
    # ---------------------------------------------------------------- data protection
    ("data_protection", STRONG, "data protection", {
        "en": "gdpr|data protection|personal data|privacy law|privacy rules|privacy regulator|data privacy|"
              "privacy watchdog|data localisation|data localization|user data|phone numbers of users|ip addresses",
        "pt": "proteção de dados|dados pessoais|lgpd|anpd|privacidade|dados dos usuários|endereços ip|"
              "números de telefone|localização de dados",
        "es": "protección de datos|datos personales|rgpd|privacidad|datos de los usuarios|direcciones ip",
        "fr": "protection des données|données personnelles|rgpd|cnil|vie privée|données des utilisateurs|adresses ip",
        "de": "datenschutz*|personenbezogen* daten|dsgvo|privatsphäre|nutzerdaten|ip-adressen",
        "it": "protezione dei dati|dati personali|gdpr|garante della privacy|garante privacy|privacy|"
              "dati degli utenti|indirizzi ip",
        "ru": "персональн* данн*|защит* данных|конфиденциальност*|данные пользователей|ip-адрес*|локализаци* данных",
        "tr": "kişisel veri*|verilerin korunması|veri koruma|kvkk|gizlilik|kullanıcı veri*|ip adres*",
        "ja": "個人情報|個人データ|データ保護|プライバシー|利用者情報|IPアドレス",
        "zh": "个人信息|個人資料|数据保护|数据安全|隐私|用户数据|IP地址|数据出境",
        "ko": "개인정보|데이터 보호|프라이버시|이용자 정보|IP 주소|개인정보보호위원회",
        "ar": "حماية البيانات|البيانات الشخصية|الخصوصية|بيانات المستخدمين|عناوين IP",
    }),
    # ---------------------------------------------------------------- AML & sanctions
    ("aml_sanctions", STRONG, "aml", {
        "en": "aml|anti-money laundering|anti-money-laundering|money laundering rules|money-laundering charges|"
              "money laundering charges|counter-terrorist financing|terrorist financing|travel rule|sanctions|"
              "sanctioned|sanctions list|sanctions evasion|grey list|gray list|blacklist|fatf|ofac",
        "pt": "lavagem de dinheiro|antilavagem|prevenção à lavagem|financiamento do terrorismo|sanções|"
              "sancionada pela|lista cinza|lista negra|regra de viagem|travel rule|coaf|pld",
        "es": "blanqueo de capitales|lavado de dinero|lavado de activos|antilavado|financiación del terrorismo|"
              "financiamiento del terrorismo|sanciones|lista gris|lista negra|regla de viaje|travel rule",
        "fr": "mesures restrictives|sanctionnée par|blanchiment|lutte contre le blanchiment|lcb-ft|financement du terrorisme|sanctions|"
              "liste grise|liste noire|règle de voyage|travel rule|tracfin",
        "de": "gewaschen|geldwäscheprävention|geldwäsche*|terrorismusfinanzierung*|sanktion*|graue liste|schwarze liste|travel rule",
        "it": "riciclat*|sanzionat*|riciclaggio|antiriciclaggio|finanziamento del terrorismo|sanzioni|lista grigia|lista nera|travel rule",
        "ru": "отмывани*|легализаци* доходов|финансировани* терроризма|санкци*|серый список|черный список|"
              "росфинмониторинг*|фатф",
        "tr": "kara para*|karapara*|aklama*|terörün finansman*|yaptırım*|gri liste*|kara liste*|masak",
        "ja": "マネーロンダリング|マネロン|資金洗浄|テロ資金|制裁|トラベルルール|グレーリスト",
        "zh": "洗钱|反洗钱|恐怖融资|制裁|旅行规则|灰名单|黑名单",
        "ko": "자금세탁|자금 세탁|테러자금|제재|트래블룰|트래블 룰|회색 목록",
        "ar": "غسل الأموال|غسيل الأموال|مكافحة غسل|تمويل الإرهاب|عقوبات|العقوبات|القائمة الرمادية|"
              "القائمة السوداء|قاعدة السفر",
    }),
    # ---------------------------------------------------------------- taxation
    ("taxation", STRONG, "tax", {
        "en": "dac8|carf|tax data|tax|taxes|taxation|taxed|taxable|tax authority|tax reporting|capital gains|irs|hmrc|vat|"
              "tax return|tax returns|levy|withholding",
        "pt": "imposto|impostos|tributação|tributar|tributária|tributário|receita federal|iof|ganho de capital|"
              "declaração de imposto|alíquota|fisco",
        "es": "impuesto|impuestos|tributación|tributaria|tributario|hacienda|agencia tributaria|sat|afip|"
              "ganancias de capital|declaración de la renta|fisco|gravamen",
        "fr": "fiscal*|dac8|impôt|impôts|taxe|taxes|fiscalité|fiscal|fiscale|plus-values|dgfip|administration fiscale|fisc",
        "de": "dac8|steuer|steuerpflicht*|steuerbehörde*|steuergesetz*|steuerlich*|kryptosteuer*|steuererklärung*|besteuer*|finanzamt|finanzämter|abgabe*|kapitalertr*",
        "it": "dac8|tassa|tasse|tassazione|imposta|imposte|fiscale|fisco|agenzia delle entrate|plusvalenze|aliquota",
        "ru": "налог*|фнс|налогообложени*|фискальн*",
        "tr": "vergi*|gelir idaresi|stopaj*|harç*|maliye",
        "ja": "税|課税|税制|国税庁|確定申告|分離課税|申告分離",
        "zh": "税|征税|课税|税务|税收|税率|个人所得税",
        "ko": "세금|과세|세제|국세청|소득세|양도세|세율",
        "ar": "ضريبة|ضرائب|الضريبة|الضرائب|ضريبي*|الزكاة والضريبة",
    }),
    # ---------------------------------------------------------------- securities & crypto rules
    ("securities_crypto_rules", STRONG, "securities rules", {
        "en": "securities law|securities laws|unregistered securities|unregistered security|security token|"
              "howey|mica|markets in crypto-assets|crypto rules|crypto regulation|crypto regulations|"
              "stablecoin rules|stablecoin regulation|stablecoin law|genius act|clarity act|market structure|"
              "crypto framework|crypto-asset regime|digital asset framework|etf approval|approved spot|"
              "approve spot|approval of spot|listing standards|market abuse|insider trading rules",
        "pt": "valores mobiliários|mica|regulação de criptomoedas|regulamentação das criptomoedas|"
              "regulação cripto|regras para criptomoedas|regras para stablecoins|regras de stablecoins|"
              "marco legal dos criptoativos|aprovação de etf|aprovou o etf|etfs de",
        "es": "mercado de valores|ley de valores|leyes de valores|valores negociables|mica|regulación cripto|regulación de criptomoedas|regulación de criptomonedas|"
              "reglas para criptomonedas|reglas para stablecoins|aprobación de etf|aprobó el etf",
        "fr": "valeurs mobilières|mica|réglementation des cryptos|réglementation crypto|"
              "règles sur les stablecoins|approbation des etf|approuvé les etf",
        "de": "wertpapier*|mica|krypto-regulierung*|kryptoregulierung*|"
              "stablecoin-regeln|etf-zulassung*|marktmissbrauch*",
        "it": "strumenti finanziari|valori mobiliari|mica|regolamentazione delle criptovalute|"
              "regole sulle stablecoin|approvazione degli etf|abuso di mercato",
        "ru": "ценн* бумаг*|криптовалют* регулирован*|"
              "регулировани* криптовалют*|регулировани* крипто*|оборот* криптовалют*|майнинг* закон*",
        "tr": "sermaye piyasası|sermaye piyasaları|menkul kıymet*|"
              "kripto varlık düzenleme*|kripto düzenleme*|kripto yasası|kripto kanunu|etf onay*",
        "ja": "金融商品取引法|有価証券|暗号資産規制|資金決済法|ステーブルコイン規制|ETF承認|インサイダー取引規制",
        "zh": "证券法|证券监管|加密货币监管|稳定币条例|稳定币监管|ETF获批|批准ETF",
        "ko": "자본시장법|증권성|가상자산법|가상자산 이용자 보호법|가상자산 규제|스테이블코인 규제|ETF 승인|디지털자산기본법",
        "ar": "تنظيم العملات المشفرة|تنظيم الأصول الرقمية|قواعد العملات المستقرة|الموافقة على صناديق",
    }),
    ("securities_crypto_rules", WEAK, "market oversight", {
        "en": "spot ether funds|exchange-traded funds|spot bitcoin funds|derivatives|spot etf|etf|stablecoin|stablecoins|exchanges|token|tokens|crypto firms|crypto companies|investors protection|"
              "investor protection",
        "pt": "criptoativos|ativos virtuais|prestadoras de serviços de ativos virtuais|etf|stablecoin|stablecoins|corretoras|exchanges|tokens|proteção ao investidor|proteção dos investidores",
        "es": "criptoactivos|activos virtuales|proveedores de servicios de activos virtuales|etf|stablecoin|stablecoins|exchanges|plataformas de intercambio|tokens|protección al inversor",
        "fr": "crypto-actifs|cryptoactifs|actifs numériques|prestataires de services sur actifs numériques|etf|stablecoin|stablecoins|plateformes d'échange|jetons|protection des investisseurs",
        "de": "kryptowerte*|krypto-assets|kryptoverwahr*|etf|stablecoin*|börsen|handelsplätze|token|anlegerschutz*",
        "it": "cripto-attività|criptoattività|etf|stablecoin|exchange|piattaforme di scambio|token|tutela degli investitori",
        "ru": "цифровых финансовых активов|цфа|цифровой валют*|финансов* инструмент*|производные|etf|стейблкоин*|бирж*|токен*|защит* инвесторов|криптовалют*",
        "tr": "kripto varlık hizmet sağlayıcı*|etf|stablecoin*|borsa*|token*|yatırımcı koruma*|kripto*",
        "ja": "ETF|ステーブルコイン|取引所|トークン|投資家保護|暗号資産|暗号資産交換業",
        "zh": "虚拟资产|虚拟资产服务提供商|现货ETF|交易所买卖基金|ETF|稳定币|交易所|代币|投资者保护|加密货币|虚拟货币",
        "ko": "ETF|스테이블코인|거래소|토큰|투자자 보호|가상자산|코인",
        "ar": "الأصول الافتراضية|مزودي خدمات الأصول|الأوراق المالية|صناديق المؤشرات|العملات المستقرة|منصات التداول|الرموز|حماية المستثمرين|العملات المشفرة",
    }),
    # ---------------------------------------------------------------- central banks regulating
    ("central_bank_policy", STRONG, "central bank rules", {
        "en": "banks' crypto|crypto activities of banks|bank crypto activities|state member banks|cbdc|cbdcs|central bank digital currency|digital euro|digital pound|digital dollar|e-cny|digital yuan|"
              "digital rupee|basel committee|prudential treatment|capital requirements|banks from offering crypto|"
              "banks to hold crypto|banning banks|payment rules|reserve requirements for stablecoin",
        "pt": "proíbe bancos|proíbe os bancos|bancos não podem|cbdc|moeda digital do banco central|real digital|drex|euro digital|exigências de capital|"
              "bancos de oferecer|proibiu os bancos|bancos estão proibidos|tratamento prudencial|regras do pix",
        "es": "prohíbe a los bancos|prohibe a los bancos|los bancos no pueden|cbdc|moneda digital de banco central|euro digital|peso digital|yuan digital|requisitos de capital|"
              "prohibió a los bancos|bancos de ofrecer|tratamiento prudencial",
        "fr": "mnbc|cbdc|monnaie numérique de banque centrale|euro numérique|yuan numérique|exigences de fonds propres|"
              "interdit aux banques|traitement prudentiel",
        "de": "cbdc|digitaler euro|digitalen euro|digitales zentralbankgeld|eigenkapitalanforderung*|"
              "banken verbietet|banken verboten|aufsichtsrechtlich*",
        "it": "cbdc|euro digitale|valuta digitale della banca centrale|requisiti patrimoniali|vieta alle banche|"
              "trattamento prudenziale",
        "ru": "цифров* рубл*|цифров* валют* центральн*|cbdc|требовани* к капиталу|запрет* банкам|"
              "банкам запрещ*|пруденциальн*",
        "tr": "dijital lira|dijital türk lirası|merkez bankası dijital para*|cbdc|sermaye yeterlili*|"
              "bankaların kripto*|ödemelerde kripto*",
        "ja": "デジタル人民元|デジタルユーロ|中央銀行デジタル通貨|デジタル円|CBDC|自己資本規制|銀行による暗号資産",
        "zh": "数字人民币|央行数字货币|CBDC|资本要求|禁止银行|数字欧元",
        "ko": "중앙은행 디지털화폐|디지털 원화|CBDC|자기자본 규제|은행의 가상자산",
        "ar": "العملة الرقمية للبنك المركزي|العملات الرقمية للبنوك المركزية|اليورو الرقمي|الدرهم الرقمي|"
              "الريال الرقمي|متطلبات رأس المال|منع البنوك",
    }),
)

# Concepts whose weight toward their category differs from their weight toward the flag (see "registration").
CATEGORY_WEIGHTS: Final[dict[tuple[str, str], float]] = {("licensing_compliance", "registration"): MEDIUM}

# Words that name an authority without naming which one: they make weak signals count and pull the countries
# of their sentence into the jurisdictions. Named regulators live in ``entities``.
AUTHORITY_TERMS: Final[dict[str, str]] = {
    "en": "justice|investigating judges|law enforcement|authorities|authority|government|governments|ministry|minister|regulator|regulators|regulatory|watchdog|"
          "watchdogs|supervisor|supervisors|agency|commission|lawmakers|legislators|parliament|senate|congress|"
          "court|courts|judge|prosecutors|prosecutor|police|officials|central bank|treasury|senator|"
          "president|prime minister|federal|department of|finance ministry|ministry of finance",
    "pt": "juízes|juízes de instrução|justiça|autoridades|autoridade|governo|governos|ministério|ministro|ministra|regulador|reguladores|órgão regulador|"
          "agência|comissão|legisladores|parlamento|senado|congresso|câmara dos deputados|tribunal|justiça|juiz|"
          "juíza|promotores|procuradores|ministério público|polícia federal|polícia|funcionários|banco central|"
          "presidente|federal|supervisor",
    "es": "justicia|asamblea legislativa|asamblea nacional|juez federal|policía nacional|guardia civil|autoridades|autoridad|gobierno|gobiernos|ministerio|ministro|ministra|regulador|reguladores|organismo|"
          "agencia|comisión|legisladores|parlamento|senado|congreso|tribunal|juez|jueza|fiscales|fiscalía|policía|"
          "funcionarios|banco central|presidente|federal|supervisor",
    "fr": "justice|juges d'instruction|magistrats|enquêteurs|autorités|autorité|gouvernement|ministère|ministre|régulateur|régulateurs|gendarme|agence|commission|"
          "législateurs|parlement|sénat|assemblée nationale|tribunal|juge|juges|parquet|procureur|police|"
          "responsables|banque centrale|président|état|superviseur",
    "de": "justiz|untersuchungsrichter*|bundeskriminalamt|landeskriminalamt|kriminalpolizei|ermittler|behörde*|regierung*|ministerium*|minister|ministerin|regulierer*|aufsicht*|aufseher|agentur|kommission|"
          "gesetzgeber|parlament|bundestag|gericht*|richter*|staatsanwalt*|polizei|zentralbank|notenbank|"
          "präsident*|staat",
    "it": "giustizia|magistrati|militari|carabinieri|autorità|governo|ministero|ministro|ministra|regolatore|regolatori|agenzia|commissione|legislatori|"
          "parlamento|senato|tribunale|giudice|procura|polizia|funzionari|banca centrale|presidente|vigilanza",
    "ru": "следствие|следовател*|мвд|национальн* банк*|силовик*|власт*|правительств*|министерств*|министр*|минфин*|регулятор*|ведомств*|агентств*|комисси*|"
          "депутат*|парламент*|госдум*|суд|суда|суде|судом|судь*|прокурор*|полици*|чиновник*|центробанк*|"
          "банк росси*|цб|президент*|государств*",
    "tr": "yargı*|başsavcılık*|emniyet*|jandarma|yetkili*|hükümet*|bakanlık*|bakan*|düzenleyici*|kurum*|kurul*|komisyon*|milletvekil*|meclis*|"
          "mahkeme*|hakim*|savcı*|polis*|yetkililer*|merkez bankası*|cumhurbaşkan*|devlet*",
    "ja": "司法|予審判事|検察当局|警視庁|財務局|当局|政府|財務省|総務省|経済産業省|法務省|大臣|規制当局|金融庁|委員会|議員|国会|裁判所|判事|検察|警察|中央銀行|日銀|大統領|首相",
    "zh": "司法机关|预审法官|法官|公安机关|当局|政府|部门|部长|监管机构|监管部门|委员会|议员|国会|法院|法官|检察|警方|央行|中央银行|总统|总理",
    "ko": "사법|예심판사|검찰|방송통신심의위원회|당국|정부|부처|장관|규제 당국|금융당국|위원회|의원|국회|법원|판사|검찰|경찰|중앙은행|대통령|총리",
    "ar": "القضاء|قضاة|الأجهزة الأمنية|النيابة العامة|المجلس الأعلى|السلطات|السلطة|الحكومة|وزارة|الوزارة|وزير|الهيئة|هيئة|الجهات الرقابية|الجهة الرقابية|لجنة|المشرعين|"
          "البرلمان|المحكمة|محكمة|قاضي|النيابة|الشرطة|المسؤولين|البنك المركزي|المصرف المركزي|الرئيس|الدولة",
}

# Topic cues of the hard negatives. They lower the score (not to zero: a fine for a hack still is enforcement).
# (topic, weight, {language: terms})
NegativeSpec = tuple[str, float, dict[str, str]]

NEGATIVE_CUES: Final[tuple[NegativeSpec, ...]] = (
    ("price", 0.5, {
        "en": "price|prices|rallied|rally|surged|surges|jumped|slid|slumped|tumbled|dropped|plunged|gained|"
              "trading at|all-time high|support level|resistance|traders|bulls|bears|market cap|liquidations|"
              "technical analysis|chart|inflows|outflows|whales|open interest|funding rates",
        "pt": "preço|preços|cotação|subiu|subiram|disparou|caiu|caíram|despencou|valorização|desvalorização|"
              "máxima histórica|suporte|resistência|traders|alta de|queda de|capitalização de mercado|"
              "liquidações|análise técnica|gráfico|entradas|saídas|baleias",
        "es": "precio|precios|cotización|subió|subieron|se disparó|cayó|cayeron|se desplomó|repunte|"
              "máximo histórico|soporte|resistencia|traders|alza|caída|capitalización de mercado|liquidaciones|"
              "análisis técnico|gráfico|entradas|salidas|ballenas",
        "fr": "prix|a bondi|grimpé|a chuté|chute|recul|s'envole|plus haut historique|support|résistance|"
              "traders|hausse|baisse|capitalisation|liquidations|analyse technique|graphique|flux entrants|baleines",
        "de": "preis|preise|kurs|kurse|stieg|gestiegen|fiel|gefallen|rallye|allzeithoch|unterstützung|widerstand|"
              "trader|anstieg|rückgang|marktkapitalisierung|liquidationen|chartanalyse|zuflüsse|abflüsse|wale",
        "it": "prezzo|prezzi|quotazione|è salito|salito|è sceso|sceso|crollato|rally|massimo storico|supporto|"
              "resistenza|trader|rialzo|ribasso|capitalizzazione|liquidazioni|analisi tecnica|grafico|afflussi|balene",
        "ru": "цена|цены|цену|ценой|цен|курс*|вырос*|подорожа*|упал*|подешев*|обвал*|ралли|исторический максимум|поддержк*|"
              "сопротивлени*|трейдер*|капитализаци*|ликвидаци*|технический анализ|приток*|отток*|киты",
        "tr": "fiyat*|yükseldi|yükseliş*|düştü|düşüş*|geriledi|değer kazan*|rekor|zirve*|destek seviye*|direnç*|"
              "piyasa değer*|likidasyon*|teknik analiz|grafik*|balina*",
        "ja": "価格|相場|急騰|上昇|下落|急落|史上最高値|最高値|サポート|レジスタンス|トレーダー|時価総額|清算|テクニカル分析|資金流入|流出|クジラ",
        "zh": "价格|行情|上涨|下跌|暴跌|暴涨|历史新高|支撑|阻力|交易员|市值|清算|技术分析|流入|流出|巨鲸",
        "ko": "가격|시세|상승|하락|급등|급락|사상 최고|지지선|저항선|트레이더|시가총액|청산|기술적 분석|유입|유출|고래",
        "ar": "سعر|أسعار|ارتفع|ارتفاع|انخفض|انخفاض|تراجع|قفز|مستوى قياسي|الدعم|المقاومة|المتداولين|القيمة السوقية|"
              "التصفية|التحليل الفني|تدفقات|الحيتان",
    }),
    ("hack", 0.7, {
        "en": "hack|hacked|hacker|hackers|exploit|exploited|stolen|drained|attacker|attackers|phishing|breach|"
              "vulnerability|compromised|rug pull|scam",
        "pt": "hack|hackeada|hackeado|hacker|hackers|ataque hacker|exploração|roubados|roubadas|roubo|drenados|"
              "invasor|invasores|phishing|vulnerabilidade|comprometida|golpe",
        "es": "hackeo|hackeado|hackeada|hacker|hackers|exploit|robados|robadas|robo|drenados|atacante|atacantes|"
              "phishing|vulnerabilidad|comprometida|estafa",
        "fr": "piratage|piraté|pirate|pirates|hacker|hackers|exploit|volés|volées|vol|drainés|attaquant|"
              "hameçonnage|phishing|vulnérabilité|compromis|arnaque",
        "de": "hack*|gehackt|hacker*|exploit*|gestohlen*|diebstahl|angreifer*|phishing|sicherheitslücke*|"
              "kompromittiert|betrug*",
        "it": "hack|hackerato|hacker|exploit|rubati|rubate|furto|drenati|attaccante|attaccanti|phishing|"
              "vulnerabilità|compromesso|truffa",
        "ru": "взлом*|хакер*|эксплойт*|украден*|похищен*|кража|атакующ*|злоумышленник*|фишинг*|уязвимост*|"
              "мошенни*",
        "tr": "hack*|saldırı*|saldırgan*|istismar*|çalın*|çaldı*|hırsızlık*|kimlik avı|oltalama|güvenlik açığı*|"
              "dolandırıcılık*",
        "ja": "ハッキング|ハッカー|不正流出|流出|盗難|盗まれ|攻撃者|フィッシング|脆弱性|エクスプロイト|詐欺",
        "zh": "黑客|攻击|被盗|盗取|窃取|漏洞|钓鱼|攻击者|诈骗",
        "ko": "해킹|해커|탈취|도난|공격자|피싱|취약점|익스플로잇|사기",
        "ar": "اختراق|قرصنة|قراصنة|هاكر|سرقة|مسروقة|المهاجم|المهاجمين|تصيد|ثغرة|احتيال",
    }),
    ("private_lawsuit", 0.8, {
        "en": "class action|class-action|investors sued|shareholders sued|shareholder lawsuit|sued by investors|"
              "private lawsuit|counterclaim|co-founder sued|sued its former|lawsuit against rival|"
              "patent lawsuit|breach of contract|defamation",
        "pt": "ação coletiva|ação movida por investidores|acionistas processam|processou a rival|"
              "quebra de contrato|difamação|processo de patente|ex-sócio|ex-funcionário",
        "es": "demanda colectiva|acción colectiva|demanda de inversores|accionistas demandan|demandó a su rival|"
              "incumplimiento de contrato|difamación|patente|exsocio|exempleado",
        "fr": "action collective|recours collectif|actionnaires poursuivent|rupture de contrat|diffamation|"
              "brevet|ancien associé|ancien employé|concurrent",
        "de": "sammelklage*|anlegerklage*|aktionärsklage*|vertragsbruch*|verleumdung*|patentklage*|"
              "ehemalige* partner|ex-mitarbeiter*|konkurrent*",
        "it": "class action|azione collettiva|azionisti|violazione del contratto|diffamazione|brevetto|"
              "ex socio|ex dipendente|concorrente",
        "ru": "коллективн* иск*|иск инвестор*|акционер*|нарушени* договора|клевет*|патент*|бывш* партнер*|"
              "бывш* сотрудник*|конкурент*",
        "tr": "toplu dava*|grup dava*|yatırımcılar dava*|hissedar*|sözleşme ihlali|hakaret*|patent*|"
              "eski ortağ*|eski çalışan*|rakib*",
        "ja": "集団訴訟|株主代表訴訟|株主|契約違反|名誉毀損|特許|元共同創業者|元従業員|競合",
        "zh": "集体诉讼|股东|违约|诽谤|专利|前联合创始人|前员工|竞争对手",
        "ko": "집단소송|주주|계약 위반|명예훼손|특허|전 공동창업자|전 직원|경쟁사",
        "ar": "دعوى جماعية|المساهمين|مساهمون|خرق العقد|التشهير|براءة اختراع|الشريك السابق|موظف سابق|منافس",
    }),
    ("rate_decision", 0.9, {
        "en": "interest rate|interest rates|rate cut|rate cuts|rate hike|rate hikes|basis points|fomc|"
              "benchmark rate|policy rate|held rates|holds rates|inflation|monetary policy|key rate",
        "pt": "taxa de juros|juros|selic|copom|corte de juros|alta de juros|pontos-base|pontos base|inflação|"
              "política monetária|taxa básica",
        "es": "tasa de interés|tasas de interés|tipos de interés|tipo de interés|recorte de tasas|"
              "puntos básicos|inflación|política monetaria|tasa de referencia|tipo oficial",
        "fr": "taux d'intérêt|taux directeur|taux directeurs|baisse des taux|hausse des taux|points de base|"
              "inflation|politique monétaire",
        "de": "leitzins*|zinssatz*|zinsen|zinssenkung*|zinserhöhung*|basispunkte*|inflation|geldpolitik*",
        "it": "tassi di interesse|tasso di interesse|tassi|taglio dei tassi|rialzo dei tassi|punti base|"
              "inflazione|politica monetaria",
        "ru": "ключев* ставк*|процентн* ставк*|снижени* ставки|повышени* ставки|базисных пунктов|"
              "инфляци*|денежно-кредитн*",
        "tr": "faiz*|politika faizi|baz puan*|enflasyon*|para politikası*|ppk",
        "ja": "金利|利上げ|利下げ|政策金利|ベーシスポイント|インフレ|金融政策|据え置き",
        "zh": "利率|加息|降息|基点|通胀|货币政策|基准利率|维持利率",
        "ko": "금리|기준금리|금리 인상|금리 인하|베이시스포인트|인플레이션|통화정책|동결",
        "ar": "سعر الفائدة|أسعار الفائدة|خفض الفائدة|رفع الفائدة|نقطة أساس|نقاط أساس|التضخم|السياسة النقدية",
    }),
    ("science_sports", 1.0, {
        "en": "gene|genes|protein|proteins|cells|cell|enzyme|hormone|species|neurons|immune|metabolism|"
              "referee|referees|match|matches|scored|league|tournament|season|footballers|coach|offside|"
              "regulation time|penalty shootout|stoppage time|championship|athletes|olympic",
        "pt": "gene|genes|proteína|proteínas|células|célula|enzima|hormônio|espécie|espécies|neurônios|imunológico|"
              "metabolismo|árbitro|árbitros|partida|gol|gols|campeonato|torneio|temporada|jogadores|técnico|"
              "impedimento|tempo regulamentar|pênaltis|atletas|olímpico",
        "es": "gen|genes|proteína|proteínas|células|célula|enzima|hormona|especie|especies|neuronas|inmunitario|"
              "metabolismo|árbitro|árbitros|partido|gol|goles|liga|torneo|temporada|jugadores|entrenador|"
              "fuera de juego|tiempo reglamentario|penaltis|atletas|olímpico",
        "fr": "gène|gènes|protéine|protéines|cellules|cellule|enzyme|hormone|espèce|espèces|neurones|immunitaire|"
              "métabolisme|arbitre|arbitres|match|buts|championnat|tournoi|saison|joueurs|entraîneur|"
              "hors-jeu|temps réglementaire|tirs au but|athlètes|olympique",
        "de": "gen|gene|protein*|zellen|zelle|enzym*|hormon*|neuron*|immunsystem*|stoffwechsel*|"
              "schiedsrichter*|tore|liga|turnier*|saison|spieler*|trainer*|abseits|"
              "regulär* spielzeit|elfmeterschießen|athleten|olympisch*",
        "it": "gene|geni|proteina|proteine|cellule|cellula|enzima|ormone|specie|neuroni|immunitario|metabolismo|"
              "arbitro|arbitri|partita|gol|campionato|torneo|stagione|giocatori|allenatore|fuorigioco|"
              "tempi regolamentari|rigori|atleti|olimpic*",
        "ru": "ген|генов|гены|белок|белков|белка|клетк*|клеток|фермент*|гормон*|нейрон*|иммун*|метаболизм*|"
              "судья матча|матч*|гол|гола|голы|лиг*|турнир*|сезон*|игрок*|тренер*|офсайд*|основное время|"
              "пенальти|спортсмен*|олимпийск*",
        "tr": "gen|genler*|protein*|hücre*|enzim*|hormon*|nöron*|bağışıklık*|metabolizma*|hakem*|maç*|"
              "gol*|lig*|turnuva*|sezon*|oyuncu*|teknik direktör*|ofsayt*|normal süre*|penaltı*|sporcu*|olimpiyat*",
        "ja": "遺伝子|タンパク質|細胞|酵素|ホルモン|生物種|神経細胞|免疫|代謝|審判|試合|ゴール|リーグ|大会|シーズン|選手|オフサイド|延長戦|五輪",
        "zh": "基因|蛋白质|细胞|酶|激素|物种|神经元|免疫|代谢|裁判|比赛|进球|联赛|锦标赛|赛季|球员|教练|越位|点球|奥运",
        "ko": "유전자|단백질|세포|효소|호르몬|생물종|뉴런|면역력|심판|축구|리그|토너먼트|시즌|선수|오프사이드|승부차기|올림픽",
        "ar": "جين|جينات|بروتين|بروتينات|خلايا|خلية|إنزيم|هرمون|خلايا عصبية|المناعة|الأيض|حكام المباراة|"
              "مباراة|المباراة|الدوري|بطولة|الموسم|اللاعبين|المدرب|التسلل|ركلات الترجيح|الرياضيين|الأولمبية",
    }),
)
# fmt: on
