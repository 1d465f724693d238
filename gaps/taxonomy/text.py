"""Text folding and analysis shared by the taxonomy loader and the title search.

One function decides what "the same title" means (`normalize`, stored in OccupationLabel.normalized
and used for its uniqueness); `analyze` decides what the search compares: the title's content words
and their light stems, the keys of an exact and a near-exact match, and the weighted word-level and
character-level features (gaps/search.py ranks in that order: exact, near-exact, then words and
characters).
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass, field

# Officials type Kazakh on Russian keyboards as often as not, so the Kazakh-specific letters fold
# onto the Russian letters typed in their place; ё is written е in most Russian text.
_FOLD = str.maketrans({"ё": "е", "ә": "а", "ғ": "г", "қ": "к", "ң": "н", "ө": "о", "ұ": "у", "ү": "у", "һ": "х", "і": "и"})
_NON_WORD = re.compile(r"[^\w]+|_")
_TAG = re.compile(r"<[^<>]{0,100}>")
_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_CJK_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
_CYRILLIC = re.compile(r"[\u0400-\u04ff]")

# Words that say "some job" rather than which one: they count GENERIC_WEIGHT of a content word, and
# a title made of nothing else is never coded on its own (gaps.search). Stored in folded form
# (Kazakh letters as typed on a Russian keyboard).
GENERIC_WEIGHT = 0.25
GENERIC_WORDS = frozenset(
    "worker workers labourer labourers laborer employee employees staff specialist specialists operator operators "
    "operative helper helpers personnel officer "
    # A deputy is coded as whom they deputise for (ISCO files a deputy finance director under 1211):
    # "қаржы директорының орынбасары" is "қаржы директоры", not "мектеп директорының орынбасары".
    "deputy "
    # Seniority and training status say how far along someone is, not which job.
    "senior junior trainee apprentice intern experienced qualified certified licensed "
    "старший старшая младший младшая ведущий ведущая стажер стажерка ученик "
    "рабочий рабочая рабочие работник работница работники сотрудник сотрудница специалист специалистка специалисты "
    "оператор операторы мастер персонал служащий служащая "
    "жумысшы жумысшысы жумысшылар кызметкер кызметкери кызметкерлер маман маманы мамандар шебер шебери "
    "персонал операторы "
    "заместитель орынбасар орынбасары "
    # Season and terms of work say when and how, not which job ("seasonal fruit picker", "сезонный
    # рабочий", "маусымдық жұмысшы", "временный грузчик").
    "seasonal temporary casual сезонный сезонная сезонные сезонного временный временная временные "
    "маусымдык уакытша".split()
)
# Words that say "the head of something" without saying of what: a title of nothing else (and
# generic words) names no unit group ("нач.", "manager", 经理) and is never coded on its own. In a
# longer title they weigh as any content word ("начальник склада", "sales manager").
HEAD_WORDS = frozenset(
    "manager head chief deputy начальник начальница заведующий заведующая руководитель заместитель "
    "менгеруши менгерушиси басшы басшысы бастык орынбасар орынбасары".split()
)
CJK_HEAD_WORDS = frozenset(["经理", "主管", "负责人", "主任", "领导"])
# Function words, grade and category qualifiers ("6 разряда", "5th grade", "кат. С", "4 разряд"):
# dropped before anything is compared.
STOP_WORDS = frozenset(
    "a an and or of the for in on at to by with from as de "
    "и или в во на по для с со из к ко от при без до "
    "жане мен бен пен бойынша ушин немесе".split()
)
QUALIFIER_WORDS = frozenset(
    "grade grades class level th st nd rd "
    "разряд разряда разряду разрядов разр класса класс квалификации разрядты дарежели "
    # ordinal endings split off by the hyphen: "4-го разряда", "5-ші разряд"
    "го ого й ой ый ий ая ши шы инши ынши "
    # typed in Latin letters: "santekhnik 5 razryad", "tokar 4 razryada"
    "razryad razryada razryadov razr".split()
)
# Numbers and ordinals ("5", "4th", "6-й") are grades; letters with digits ("1С", "3D") are names.
_ORDINAL = re.compile(r"^\d+(st|nd|rd|th|й|я|го|ой|ый|ий|ая|ши|шы|инши|ынши)?$")
# A driving licence category is not a grade: "водитель категории C" drives lorries, "кат. D"
# buses. The letter (Latin or its Cyrillic look-alike) next to one of these words becomes one
# word, "cat:c", whichever script and order it was typed in ("С санатты жүргізуші").
CATEGORY_WORDS = frozenset(
    "category cat licence license категории категория кат санатты санаты санатындагы kategorii kategoriya kategoria".split()
)
_CATEGORY_LETTER = re.compile(r"^[a-eавсде][a-eавсде1]?$")
_LATIN_LOOKALIKE = str.maketrans("авсде", "abcde")
# Officials also type the letter alone after the driver: "жүргізуші D", "водитель С", "driver C, E".
# Right after one of these words, as the title's last word (or before another category letter), the
# letter is a category too; elsewhere a lone "с" is the Russian preposition ("водитель с опытом").
DRIVER_WORDS = frozenset("driver drivers водитель водителя шофер жургизуши жургизушиси".split())
DROPPED_WORDS = STOP_WORDS | QUALIFIER_WORDS | CATEGORY_WORDS
# A Chinese title ends in a job-title suffix (焊工 welder, 驾驶员 driver, 药剂师 pharmacist) that
# hundreds of titles share: stripped from the word-level key, and counted low as a character.
# Colloquial titles end in 的, "the one who": 放羊的 (shepherd), 开车的 (driver), 送快递的.
CJK_GENERIC_SUFFIXES = ("工作人员", "操作工", "操作员", "技术员", "人员", "工人", "师傅", "技工", "工", "员", "师", "手", "者", "人", "的")
CJK_GENERIC_CHARS = frozenset("工员师手者人的")
# Grade, seniority and season words before a Chinese title (高级电工, 二级焊工, 季节性采摘工, 实习厨师)
# (not 初级: 初级护士 is a nurse of another unit group than 护士)
# say how far along or when, not which job: dropped, like "6 разряда", when a title remains.
CJK_QUALIFIER_PREFIXES = (
    "中级", "高级", "一级", "二级", "三级", "四级", "五级", "资深", "实习", "见习", "熟练", "季节性", "季节", "临时", "兼职", "全职",
)
CJK_GENERIC_BIGRAMS = frozenset(["工人", "人员", "员工", "师傅", "技工", "操作", "作工", "作员", "技术", "术员", "工作", "作人"])

# Light stemming, one ending at a time: Russian case endings ("комбайна", "водителя"), the
# Kazakh possessive and genitive chain ("жүргізушісі", "машинасының") and English plurals. The
# agentive suffixes (-щик, -ші/-шы, -er) stay: they are the job. Kazakh case endings that are also
# Russian word endings (-ка "грузовика", -тер "мастер", -ин "магазин") are left alone; titles rarely
# carry them. Russian feminine job titles fold onto the masculine ones (сварщица -> сварщик,
# учительница -> учитель, повариха -> повар, официантка -> официант).
MIN_STEM = 3
_RUSSIAN_ENDINGS = frozenset(
    "ого его ому ему ая яя ое ее ые ие ый ий ой ую юю ых их ах ях ам ям ов ев ей ом ем ами ями ы и а я у ю е о ь".split()
)
_KAZAKH_GENITIVE = ("нын", "нин", "дын", "дин", "тын", "тин")
_KAZAKH_CHAIN = frozenset(_KAZAKH_GENITIVE + ("сы", "си"))
_ENDINGS = tuple(sorted(_RUSSIAN_ENDINGS | _KAZAKH_CHAIN, key=len, reverse=True))
_VOWELS = "аеиыуо"
_FEMININE = (("тельниц", "тель"), ("авщиц", "авц"), ("щиц", "щик"), ("чиц", "чик"), ("ниц", "ник"), ("нтк", "нт"), ("истк", "ист"), ("их", ""))
# A stem's first letters, as a second, weaker word feature: "электросварщик" and
# "электрогазосварщик", "водитель-экспедитор" and "водительский" share them.
PREFIX_LENGTH = 6
PREFIX_WEIGHT = 0.5

# The job word of a title weighs more than a place that qualifies it: in "supermarket cleaner",
# "cleaner at the bus station", "уборщица в школе", "сауда орталығының тазалаушысы" (shopping-centre
# cleaner), "супермаркеттегі тазалаушы" and 小区保洁 the place is a qualifier, and a label that
# shares only the place ("shopping centre manager", 小区保安) must not outrank one that shares the
# job. A qualifier's word and character features count QUALIFIER_WEIGHT, in labels and typed titles
# alike. A qualifier is a word after a preposition, a Kazakh word in the locative-attributive
# (-дағы/-дегі/-тағы/-тегі) or the genitive (-ның/-нің ...) before the job word, or one of
# PLACE_WORDS (stems of establishments; a title of nothing else keeps them whole). The object of a
# job word is not a qualifier: "duck farmer", "кран жүргізушісі", 汽车喷漆工 name the job by it.
QUALIFIER_WEIGHT = 0.5
QUALIFIER_PREPOSITIONS = frozenset("at in for on from в во на при".split())
# English "of" with an article names the employer or the place ("cook of the kindergarten", "accountant
# of the district akimat", "butcher of a meat processing plant"): a qualifier, as "at" is. Without an
# article it names the object, which is the job ("welder of pipelines", "teacher of history"). After a
# bare head word the employer is what is headed ("director of a polyclinic", "deputy head of the
# finance department", "captain of a river vessel"), so it stays whole there; after a head word that
# already says what it heads ("production director of a meat processing plant") it is the employer.
_OF_ARTICLES = frozenset(("the", "a", "an"))
OF_HEAD_WORDS = HEAD_WORDS | frozenset(
    "director directors dean rector principal president chairman chairwoman chairperson commander akim "
    "administrator superintendent leader governor mayor captain".split()
)
# Words that may stand before a bare head word: "general director", "gen. director", "acting head".
_HEAD_MODIFIERS = frozenset("general gen acting first executive chief senior deputy vice".split())


def _of_qualifies(parts: list[str], i: int) -> bool:
    """Whether parts[i], an "of", starts a qualifier (see _OF_ARTICLES)."""
    if parts[i] != "of" or i + 1 >= len(parts) or parts[i + 1] not in _OF_ARTICLES:
        return False
    before = [part for part in parts[:i] if part not in DROPPED_WORDS]
    bare_head = bool(before) and before[-1] in OF_HEAD_WORDS and all(
        part in OF_HEAD_WORDS or part in _HEAD_MODIFIERS for part in before
    )
    return not bare_head
_KAZAKH_LOCATIVE = ("дагы", "деги", "тагы", "теги")
_KAZAKH_QUALIFIER_ENDINGS = (*_KAZAKH_LOCATIVE, "нын", "нин", "дын", "дин", "тын", "тин")
# The plain Kazakh locative of an establishment before the job word says where the job is, as
# "-дағы" does: "зауытта слесарь" (a fitter at a factory), "кафеде бармен". Not the market:
# "базарда сатушы" is a market salesperson (5211), not a shop one (5223).
# Only after a known place root (folded): -да/-де/-та/-те end Russian and Kazakh nouns too
# ("пошта", "шахта", "бригада"); -нда/-нде also after the possessive ("зауытында", "фермасында").
_KAZAKH_PLAIN_LOCATIVE = ("нда", "нде", "да", "де", "та", "те")
KAZAKH_PLACE_ROOTS = frozenset(
    "ферма зауыт фабрика шахта кениш карьер цех дукен асхана мейрамхана конакуй мектеп аурухана емхана "
    "кенсе койма кафе вокзал ауежай жылыжай балабакша колледж университет банк супермаркет курылыс кеме "
    "дарихана наубайхана".split()
)
PLACE_WORDS = frozenset(
    "supermarket shop store mall shopping centre center school hospital hotel office station restaurant cafe "
    "canteen warehouse factory council bank "
    "супермаркет магазин торговый торгового центр центра школа школы больница больницы гостиница гостиницы офис "
    "офиса вокзал вокзала ресторан ресторана кафе столовая столовой склад склада завод завода фабрика фабрики банк "
    "банка подъезд подъездов жкх "
    "сауда орталыгы орталык мектеп мектептин аурухана ауруханасы конак конакуй кенсе кенсенин дукен дукеннин "
    "мейрамхана мейрамханасы асхана асханасы койма коймасы коймага коймада".split()
)
# Russian puts the job word first and the place after it, in the genitive: "пекарь хлебозавода",
# "закройщик швейного цеха", "директор завода ЖБИ", "HR-директор ТОО «Агро-Сервис»". After the job
# word, one of these establishments (stems; a compound ending in one of RUSSIAN_PLACE_ROOTS counts:
# хлебозавод, мясокомбинат), the adjectives just before it ("швейного", "кирпичного") and every word
# after it ("ЖБИ", the firm's name) are a qualifier, as a place after "в"/"на" already is: the place
# must not outweigh the job ("пекарь хлебозавода" is a baker, not the bread factory's director).
RUSSIAN_PLACE_WORDS = frozenset(
    "завод комбинат фабрика цех поликлиника амбулатория больница кинотеатр университет колледж институт "
    "холдинг компания фирма предприятие организация учреждение отель гостиница заповедник хозяйство акимат "
    "трц тц тоо ао ооо ип кх кгу гкп гккп ргп".split()
)
RUSSIAN_PLACE_ROOTS = ("завод", "комбинат", "фабрик")
# Adjectives in the genitive (and the plural) before the place: "швейного цеха", "кирпичного завода".
_RUSSIAN_GENITIVE_ADJECTIVE = ("ого", "его", "ой", "ей", "ых", "их")
# Nouns declined like adjectives, which are jobs' objects, not a place's attributes ("оператор
# котельной завода" keeps its boiler room).
_SUBSTANTIVE_ADJECTIVES = frozenset(
    "котельной столовой мастерской прачечной парикмахерской приемной насосной диспетчерской".split()
)
# A labourer is coded by where they labour: "подсобный рабочий на ферме КРС" is a livestock farm
# labourer (9212), "разнорабочий на завод" a manufacturing one (9329). When nothing but these words
# (and generic words) is left outside the qualifiers, the place keeps its full weight.
LABOURER_WORDS = frozenset(
    "worker workers labourer labourers laborer laborers рабочий рабочая рабочие разнорабочий разнорабочая "
    "разнорабочие подсобный подсобная подсобные подсобник подсобница чернорабочий чернорабочая "
    "жумысшы жумысшысы жумысшылар".split()
)

# Chinese titles put the place first: 小区保洁, 超市收银员, 商场保安. Those of CJK_PLACES_ANYWHERE also
# after a word that says which one (县医院护工, 百货商场营业员, 学校食堂大厨, 乡政府保洁): the place then
# runs to the end of the last of them with a job of two characters or more after it. Not 工厂 or 公司
# there: 化工厂, 水产养殖公司, 公交公司 name the product or the trade, and with it the unit group; nor
# 卫生院: a doctor of a township health centre (乡镇卫生院医生) is a generalist (2211) by it.
CJK_PLACE_PREFIXES = (
    "写字楼", "小区", "超市", "商场", "医院", "酒店", "宾馆", "学校", "物业", "饭店", "餐厅", "食堂", "仓库", "工厂", "银行",
    "工地", "车间", "公司", "农场", "门店", "商店", "机场", "车站", "景区",
    "养老院", "福利院", "幼儿园", "托儿所", "政府", "口岸", "单位",
)
# The prefixes above but those that also end a trade's or a workplace's own name (化工厂, 公交公司, 银行 …).
CJK_PLACES_ANYWHERE = frozenset(CJK_PLACE_PREFIXES) - {"物业", "仓库", "工厂", "银行", "车间", "公司", "农场", "门店", "商店"}

# British and American spellings of the same job-title words share a stem ("call centre operator" is
# "call center operator", "labourer" "laborer"): the American one, after the plural is stripped.
_AMERICAN = {
    "centre": "center", "theatre": "theater", "metre": "meter", "litre": "liter", "fibre": "fiber",
    "labour": "labor", "labourer": "laborer", "colour": "color", "colourist": "colorist", "harbour": "harbor",
    "behaviour": "behavior", "behavioural": "behavioral", "neighbourhood": "neighborhood", "armourer": "armorer",
    "organiser": "organizer", "organisation": "organization", "organisational": "organizational",
    "specialised": "specialized", "sterilisation": "sterilization", "sterilising": "sterilizing",
    "jewellery": "jewelry", "jeweller": "jeweler", "tyre": "tire", "draughtsman": "draftsman",
    "draughtswoman": "draftswoman", "draughtsperson": "draftsperson", "paediatric": "pediatric",
    "paediatrician": "pediatrician", "anaesthetist": "anesthetist", "anaesthesiologist": "anesthesiologist",
    "anaesthesia": "anesthesia", "gynaecologist": "gynecologist", "gynaecology": "gynecology",
    "orthopaedic": "orthopedic", "haematologist": "hematologist", "oesophageal": "esophageal",
    "aluminium": "aluminum", "mould": "mold", "moulder": "molder", "moulding": "molding", "defence": "defense",
    "licence": "license", "programme": "program", "catalogue": "catalog", "cataloguer": "cataloger",
    "plough": "plow", "ploughman": "plowman", "aeroplane": "airplane", "manoeuvre": "maneuver",
    "traveller": "traveler", "travelling": "traveling", "counsellor": "counselor", "counselling": "counseling",
    "modelling": "modeling", "labelling": "labeling", "labeller": "labeler", "fuelling": "fueling",
    "enrolment": "enrollment", "analyse": "analyze", "analyser": "analyzer", "practise": "practice",
    "storey": "story", "grey": "gray", "kerb": "curb", "cheque": "check", "dietician": "dietitian",
    "pyjama": "pajama", "sceptic": "skeptic", "ageing": "aging", "vapour": "vapor", "odour": "odor",
}


# "ПО" in capitals is программное обеспечение (software: "тестировщик ПО", "менеджер по продажам ПО");
# lower-cased it would be the preposition "по" and dropped as a function word. Only in a title that
# also has lower-case letters: "МЕНЕДЖЕР ПО ПРОДАЖАМ" typed in capitals keeps its preposition.
_SOFTWARE = re.compile(r"(?<!\w)ПО(?!\w)")
_LOWER_CYRILLIC = re.compile(r"[а-яёәғқңөұүһі]")


# Kazakh і typed on a Russian keyboard is often the Latin i ("мұғалiм", "мал дәрiгерi"): inside a
# word with Cyrillic letters the search reads it as і (folded to и), never in a Latin word. The
# analysis does this, not normalize(): normalize() stays the key the sample files were split on
# and the label files are checked with (a title typed with the Latin i is another typed title).
_CYRILLIC_WORD_WITH_I = re.compile(r"\w*[\u0400-\u04ff]\w*")


# Officials also type other Latin letters that look like Cyrillic ones inside a Russian word ("пoвар",
# "свaрщик", "oхранник": a Latin o, a, c, e, p, x, y ...): inside a word with Cyrillic letters they are
# read as the Cyrillic ones, as the Latin i is. A word of Latin letters alone ("Glovo", "SMM") keeps them.
_LATIN_LOOKALIKES = str.maketrans("aceopxykmhtb", "асеорхукмнтв")


def fold_latin_i(normalized: str) -> str:
    """A normalized title with the Latin look-alike letters of its Cyrillic words read as Cyrillic
    ones: i as і (folded: и), a, c, e, o, p, x, y ... as а, с, е, о, р, х, у ... (see above)."""
    if normalized.isascii() or not _CYRILLIC.search(normalized):
        return normalized
    return _CYRILLIC_WORD_WITH_I.sub(lambda m: m.group().replace("i", "и").translate(_LATIN_LOOKALIKES), normalized)


def normalize(text: str) -> str:
    """Lower-cased, ё/Kazakh-folded, punctuation-free form with single spaces."""
    text = unicodedata.normalize("NFKC", text or "")
    if "ПО" in text and _LOWER_CYRILLIC.search(text):
        text = _SOFTWARE.sub(" программного обеспечения ", text)
    text = text.casefold().translate(_FOLD)
    return " ".join(_NON_WORD.sub(" ", text).split())


def strip_markup(text: str) -> str:
    """A typed title without HTML-like tags ("<b>helper</b>" is "helper")."""
    return _TAG.sub(" ", text or "")


def script_of(text: str) -> str:
    """'zh', 'cyrl' or 'latn': which label languages a typed title can be compared with."""
    if _CJK.search(text):
        return "zh"
    if _CYRILLIC.search(text):
        return "cyrl"
    return "latn"


CJK_APPRENTICE_SUFFIXES = ("学徒工", "学徒")

# Abbreviations officials type, read as the words they stand for (labels and typed titles alike):
# "зав. складом", "нач. участка", "гл. инженер", "ст. продавец", "пом. повара", "asst manager".
# "эл." joins the next word ("эл. монтер" = "электромонтер"); "с/х" and "ж/д" are the adjectives
# they shorten.
ABBREVIATIONS = {
    "зав": "заведующий", "нач": "начальник", "зам": "заместитель", "гл": "главный", "ст": "старший",
    "мл": "младший", "рук": "руководитель", "инж": "инженер", "спец": "специалист", "фин": "финансовый",
    "пом": "помощник",
    "asst": "assistant", "mgr": "manager", "supv": "supervisor", "supvr": "supervisor",
    "sr": "senior", "jr": "junior", "dept": "department", "mngr": "manager",
    # The ninth round's (sample_tuning9_en.csv): "senior civil eng.", "senior acct.", "system admin",
    # "lab tech", "crane op.", "elec. fitter", "insp. of customs".
    "eng": "engineer", "engr": "engineer", "acct": "accountant", "accnt": "accountant", "admin": "administrator",
    "tech": "technician", "techn": "technician", "op": "operator", "opr": "operator", "mech": "mechanic",
    "elec": "electrical", "insp": "inspector", "dir": "director", "coord": "coordinator", "supt": "superintendent",
    # Not an abbreviation but the same word: "шофёр автобуса" is "водитель автобуса" (8331), which
    # the labels name; as a word of its own "шофер" would only find the bare label (8322).
    "шофер": "водитель", "шоферы": "водители",
}
ABBREVIATED_PAIRS = {("с", "х"): "сельскохозяйственный", ("ж", "д"): "железнодорожный"}
_JOINED_PREFIXES = {"эл": "электро"}

# Kazakh names the object of an agent noun in the accusative, often plural: "тракторларды жөндеуші"
# (who repairs tractors) is "трактор жөндеуші", "көшені тазалаушы" "көше тазалаушы". Before a word
# ending in an agent suffix (-шы/-ші, -шысы/-шісі) the accusative and then the plural ending come off
# the word before it; elsewhere (Russian "работы", "охраны") they are left alone.
_KAZAKH_AGENT_ENDINGS = ("шы", "ши", "шысы", "шиси")
_KAZAKH_ACCUSATIVE = ("ны", "ни", "ды", "ди", "ты", "ти")
_KAZAKH_PLURAL = ("лар", "лер", "дар", "дер", "тар", "тер")
# Kazakh compounds typed as two words or one: "қонақ үй" = "қонақүй" (hotel), "ас үй" = "асүй" (kitchen).
_KAZAKH_COMPOUNDS = {("конак", "уй"): "конакуй", ("ас", "уй"): "асуй"}
_COMPOUND_SECONDS = frozenset(second for _first, second in _KAZAKH_COMPOUNDS)
# Russian щ typed as ш before the agent suffix: "уборшица", "сваршик", "каменшик".
_SH_TYPO = (("шиц", "щиц"), ("шик", "щик"))


# English plurals that are not the word plus "s" (stemmed to the singular, in labels and typed titles
# alike): "coaches", "brushes", "boxes", "businesses" lose "es"; "midwives", "shelves" end in f/fe again;
# "fishermen", "policemen", "salesmen" are "-man" (not "women": "hairdresser (women's)" is no woman's job).
_ENGLISH_ES_PLURALS = ("ches", "shes", "xes", "sses")
_ENGLISH_VES_PLURALS = {"wives": "wife", "knives": "knife", "thieves": "thief", "shelves": "shelf", "calves": "calf",
                        "halves": "half", "wolves": "wolf", "leaves": "leaf"}

# Russian trade words typed in Latin letters ("santekhnik", "stolyar", "slesar-remontnik", "svarshik",
# "gornorabochiy", "oficiant"), as officials in Kazakhstan and Xinjiang write English reports: read
# back into Cyrillic, longest letter group first, so the search can look the word up among the Russian
# labels (gaps.search reads a Latin word no English label has this way). Both common romanizations
# ("shch"/"sch", "kh"/"x"/"h", "ts"/"c", "ya"/"ja") are read; "auto" is "авто", a word-initial "e" is "э"
# (электрик, экскаваторщик), a final "iy"/"yi"/"oi" is "ий"/"ый"/"ой"; the soft sign, never typed, is
# restored by the spelling correction when a label has it ("krovelshik" -> кровельщик).
_LATIN_GROUPS = (
    ("shch", "щ"), ("sch", "щ"), ("zh", "ж"), ("kh", "х"), ("ts", "ц"), ("ch", "ч"), ("sh", "ш"),
    ("ya", "я"), ("ja", "я"), ("yu", "ю"), ("ju", "ю"), ("yo", "е"), ("ye", "е"),
    ("a", "а"), ("b", "б"), ("v", "в"), ("w", "в"), ("g", "г"), ("d", "д"), ("e", "е"), ("z", "з"), ("i", "и"),
    ("j", "ж"), ("k", "к"), ("q", "к"), ("l", "л"), ("m", "м"), ("n", "н"), ("o", "о"), ("p", "п"), ("r", "р"),
    ("s", "с"), ("t", "т"), ("u", "у"), ("f", "ф"), ("h", "х"), ("x", "х"), ("c", "ц"), ("y", "ы"),
)
_LATIN_FINALS = (("iy", "ий"), ("yi", "ый"), ("oi", "ой"), ("oy", "ой"), ("ei", "ей"), ("ey", "ей"), ("ai", "ай"), ("ay", "ай"))
_LATIN_WORD = re.compile(r"^[a-z]+$")


def latin_to_cyrillic(word: str) -> str | None:
    """A Latin-typed Russian word in Cyrillic, folded as normalize() folds ("santekhnik" -> "сантехник"),
    or None when the word is not plain Latin letters."""
    if not _LATIN_WORD.match(word):
        return None
    head, tail = word, ""
    for latin, cyrillic in _LATIN_FINALS:
        if word.endswith(latin) and len(word) > len(latin) + 2:
            head, tail = word[: -len(latin)], cyrillic
            break
    out = []
    if head.startswith("auto"):
        out.append("авто")
        head = head[4:]
    elif head.startswith("e"):
        out.append("э")
        head = head[1:]
    i = 0
    while i < len(head):
        for latin, cyrillic in _LATIN_GROUPS:
            if head.startswith(latin, i):
                # "y" after a vowel is й ("moyshik"), after a consonant ы ("vzryvnik")
                if latin == "y" and i > 0 and head[i - 1] in "aeiouy":
                    cyrillic = "й"
                out.append(cyrillic)
                i += len(latin)
                break
        else:
            return None
    return ("".join(out) + tail).translate(_FOLD)


def kazakh_object(word: str) -> str:
    """A Kazakh object before an agent noun without its accusative and plural endings (see above)."""
    word, _ = _strip(word, _KAZAKH_ACCUSATIVE)
    word, _ = _strip(word, _KAZAKH_PLURAL)
    return word


def stem(word: str) -> str:
    """A light stem of a folded alphabetic word (see _ENDINGS)."""
    if not _CYRILLIC.search(word):
        if word in _AMERICAN:
            return _AMERICAN[word]
        if word.endswith("ies") and len(word) > 4:
            word = word[:-3] + "y"
        elif word.endswith(_ENGLISH_ES_PLURALS) and len(word) > 5:
            word = word[:-2]  # coaches, brushes, boxes, businesses
        elif word.endswith(tuple(_ENGLISH_VES_PLURALS)) and len(word) > 5:
            ending = next(e for e in _ENGLISH_VES_PLURALS if word.endswith(e))
            word = word[: -len(ending)] + _ENGLISH_VES_PLURALS[ending]  # midwives, shelves
        elif word.endswith("men") and len(word) > 5:
            word = word[:-3] + "man"  # fishermen, salesmen, policemen, women
        elif word.endswith("s") and not word.endswith(("ss", "us", "is")) and len(word) > 4:
            word = word[:-1]
        return _AMERICAN.get(word, word)
    plural_root = kazakh_plural_root(word)
    if plural_root:
        return stem(plural_root)
    word, ending = _strip(word, _ENDINGS)
    if not ending:
        # Kazakh genitive after a short root: үйдің -> үй, астың -> ас
        word, ending = _strip(word, _KAZAKH_GENITIVE, min_stem=2)
    if ending in _KAZAKH_CHAIN:
        # машинасының -> машинасы -> машина -> машин; жүргізушісі -> жүргізуші -> жүргізуш
        word, _ = _strip(word, ("сы", "си"))
        word, _ = _strip(word, tuple(_VOWELS))
    voiced = word
    word = _voiceless_final(word)
    voiced = voiced != word
    for typed, meant in _SH_TYPO:
        if word.endswith(typed) and len(word) > len(typed) + 2:
            word = word[: -len(typed)] + meant
    for feminine, masculine in _FEMININE:
        if word.endswith(feminine) and len(word) - len(feminine) + len(masculine) >= MIN_STEM:
            return stem(word[: -len(feminine)] + masculine)
    if (not ending or voiced) and word.endswith("ок") and len(word) > 5 and word[-3] not in _VOWELS:
        # The fleeting vowel of the genitive plural: лесозаготовок, перевозок, упаковок -> лесозаготовк
        # (as лесозаготовки, лесозаготовках); станок -> станк (as станка, станков).
        word = word[:-2] + "к"
    if word.endswith("ец") and len(word) > 4:
        # The fleeting vowel: продавец, продавца, продавцы -> продавц (кузнец, кузнеца -> кузнц alike).
        word = word[:-2] + "ц"
    return word


# Kazakh plurals ("қойшылар", "мұғалімдер", "кузнецтер", "жұмысшылары", "сатушылардың") are their
# singulars. The ending's first consonant follows the root's last letter (-лар/-лер after a vowel or
# р, у, й; -дар/-дер after л, м, н, ң, з, ж; -тар/-тер after a voiceless consonant) and its vowel the
# root's last front vowel (е, і folded и: -лер ...; ы: -лар); a word whose end only looks like a
# plural is left alone: "секретарь", "монтер", "бухгалтер", "кондитер" (the ending does not fit the
# root), "мастер", "шахтер", "актер" (Russian words listed in _NOT_PLURALS). A possessive or genitive
# after the plural ("-лары", "-ларының") comes off with it.
_KAZAKH_PLURAL_TAILS = ("ынын", "инин", "дын", "дин", "дагы", "деги", "ы", "и", "")
_PLURAL_AFTER = {"л": "аеиоуыюяэр" + "уй", "д": "лмнзж", "т": "пткфхцчшщсбвгд"}
_NO_PLURAL_ROOT_ENDS = ("ь",)
_NOT_PLURALS = frozenset("мастер шахтер актер тостер фломастер дептер".split())


def kazakh_plural_root(word: str) -> str:
    """The root of a Kazakh plural (see above), "" if the word is not one."""
    for tail in _KAZAKH_PLURAL_TAILS:
        if not word.endswith(tail):
            continue
        body = word[: len(word) - len(tail)]
        if body[-3:] not in _KAZAKH_PLURAL or body in _NOT_PLURALS:
            continue
        plural, root = body[-3:], body[:-3]
        if len(root) < MIN_STEM or root.endswith(_NO_PLURAL_ROOT_ENDS) or root[-1] not in _PLURAL_AFTER[plural[0]]:
            continue
        if plural[0] == "д" and root[-1] == "н" and len(root) < 4:  # "тендер" is no plural of "тен"
            continue
        last_vowel = next((ch for ch in reversed(root) if ch in "аеиоуыэюя"), "")
        if (last_vowel in "еиэ" and plural[1] != "е") or (last_vowel == "ы" and plural[1] != "а"):
            continue
        return root
    return ""


# Kazakh roots voice their last consonant before a vowel: "электрик" -> "электригі", "станок" ->
# "станогы", "шаруашылық" -> "шаруашылығы", "мектеп" -> "мектебі". The last г of a stem reads as к and
# the last б as п, in every word, so the voiced form meets the plain one ("хирург", "хирурги" ->
# "хирурк" alike). Only stems of four letters or more.
def _voiceless_final(word: str) -> str:
    if len(word) >= 4 and word[-1] in "гб" and _CYRILLIC.search(word):
        return word[:-1] + ("к" if word[-1] == "г" else "п")
    return word


def _strip(word: str, endings: tuple[str, ...], min_stem: int = MIN_STEM) -> tuple[str, str]:
    for ending in endings:
        if word.endswith(ending) and len(word) - len(ending) >= min_stem:
            return word[: -len(ending)], ending
    return word, ""


def cjk_core(run: str) -> str:
    """A Chinese title without its job-title suffix: 电焊工 -> 电焊, 药剂师 -> 药剂."""
    for suffix in CJK_GENERIC_SUFFIXES:
        if run.endswith(suffix) and len(run) > len(suffix):
            return run[: -len(suffix)]
    return run


@dataclass
class Analysis:
    """What the search compares of one normalized title."""

    words: list[str] = field(default_factory=list)  # content words (alphabetic) and CJK runs, in order
    stems: list[str] = field(default_factory=list)  # one per word
    generic: list[bool] = field(default_factory=list)  # one per word
    qualifier: list[bool] = field(default_factory=list)  # one per word: a place (QUALIFIER_WEIGHT)
    word_features: dict[str, float] = field(default_factory=dict)
    char_features: dict[str, float] = field(default_factory=dict)
    corrected: int = 0  # how many stems were replaced by a spelling correction (gaps.search)

    @property
    def exact_key(self) -> str:
        return " ".join(self.words)

    @property
    def near_key(self) -> str:
        """Stems in any order: "водитель грузовика" = "грузовика водитель" = "водители грузовиков"."""
        return " ".join(sorted(set(self.stems)))

    @property
    def content_key(self) -> str:
        """The near-exact key without generic words ("дәнекерлеуші жұмысшы" = "дәнекерлеуші")."""
        return " ".join(sorted({s for s, g in zip(self.stems, self.generic, strict=True) if not g}))

    @property
    def generic_key(self) -> str:
        """The generic words alone ("рабочий", "мастер", "operator"): what the content key leaves out."""
        return " ".join(sorted({s for s, g in zip(self.stems, self.generic, strict=True) if g}))

    @property
    def compact_key(self) -> str:
        """The words run together: "ас үй" = "асүй", "қонақ үй" = "қонақүй", "call centre" = "callcentre"."""
        return "".join(self.words)

    @property
    def only_generic(self) -> bool:
        return bool(self.words) and all(self.generic)

    @property
    def names_no_occupation(self) -> bool:
        """Generic and head words only ("рабочий", "нач.", "senior manager", 经理): no unit group named."""
        return bool(self.words) and all(
            generic or word in HEAD_WORDS or word in CJK_HEAD_WORDS
            for word, generic in zip(self.words, self.generic, strict=True)
        )

    def with_stems(self, stems: list[str]) -> Analysis:
        """The same title with some stems replaced (spelling corrections); features recomputed."""
        changed = sum(a != b for a, b in zip(self.stems, stems, strict=True))
        result = Analysis(
            words=list(self.words),
            stems=list(stems),
            generic=list(self.generic),
            qualifier=list(self.qualifier),
            corrected=changed,
        )
        _fill_features(result)
        return result


def analyze(normalized: str) -> Analysis:
    """Words, stems, keys and features of a normalized title.

    Alphabetic words: digits, single letters, function words and grade qualifiers are dropped;
    each remaining word gives its stem (and the stem's first PREFIX_LENGTH letters, weaker) as word
    features, and its stem's character trigrams (padded at the start only, so the endings every
    title shares weigh nothing) as character features. Chinese has no spaces: each run of CJK
    characters is a word (its stem without the job-title suffix), and its characters and
    character pairs are the character features.
    """
    result = Analysis()
    tokens = _tokens(fold_latin_i(normalized))
    for i, token in enumerate(tokens):
        if _CJK.match(token):
            generic = token in CJK_GENERIC_SUFFIXES
            result.stems.append(token if generic else cjk_core(token))
        else:
            generic = token in GENERIC_WORDS
            if (
                i + 1 < len(tokens)
                and _CYRILLIC.search(token) is not None
                and tokens[i + 1].endswith(_KAZAKH_AGENT_ENDINGS)
                and not token.endswith(_KAZAKH_AGENT_ENDINGS)
            ):
                token_stem = stem(kazakh_object(token))
            else:
                token_stem = stem(token)
            result.stems.append(token_stem)
        result.words.append(token)
        result.generic.append(generic)
    result.qualifier = _qualifiers(normalized, tokens, result.stems)
    _fill_features(result)
    return result


def _qualifiers(normalized: str, tokens: list[str], stems: list[str]) -> list[bool]:
    """Which tokens are places that qualify the job word (see QUALIFIER_WEIGHT)."""
    flags = [False] * len(tokens)
    if len(tokens) < 2:
        return flags
    parts = _expand(normalized.split())
    cut = next(
        (
            i
            for i, part in enumerate(parts)
            if i and (part in QUALIFIER_PREPOSITIONS or _of_qualifies(parts, i))
        ),
        len(parts),
    )
    before = len(_tokens(" ".join(parts[:cut]))) if cut < len(parts) else len(tokens)
    # Before a generic job word the genitive names the work, not a place: "жол полициясының
    # қызметкері" is a traffic police officer ("employee of the road police"), as "полиция
    # қызметкері"; "сауда орталығының тазалаушысы" keeps its shopping centre a qualifier.
    # So before a head word: "қаржы директорының орынбасары" is a deputy finance director (1211),
    # "қаржы бөлімі бастығының орынбасары" the deputy of the finance department's head.
    last = tokens[-1]
    kazakh_endings = (
        _KAZAKH_LOCATIVE if last in GENERIC_WORDS or last in HEAD_WORDS else _KAZAKH_QUALIFIER_ENDINGS
    )
    dative = _kazakh_dative_end(tokens)
    for i, (token, word_stem) in enumerate(zip(tokens, stems, strict=True)):
        if _CJK.match(token):
            continue
        flags[i] = (
            i >= before
            or i <= dative
            or word_stem in _place_stems()
            or (i < len(tokens) - 1 and _kazakh_place_locative(token))
            or (
                i < len(tokens) - 1
                and _CYRILLIC.search(token) is not None
                and token.endswith(kazakh_endings)
            )
        )
    _russian_place_phrase(tokens, stems, flags)
    if all(flags[i] or _CJK.match(t) for i, t in enumerate(tokens)):
        return [False] * len(tokens)
    unflagged = [t for i, t in enumerate(tokens) if not flags[i] and not _CJK.match(t)]
    labourer = any(t in LABOURER_WORDS for t in unflagged)
    if labourer and all(t in LABOURER_WORDS or t in GENERIC_WORDS for t in unflagged):
        return [False] * len(tokens)
    return flags


# A Russian title names its job by its head noun, the first one: "сторож детского сада" is a watchman,
# "электрик жилых зданий" an electrician, "управляющий лесхозом" a manager; a label that shares only the
# qualifier ("директор детского сада", "архитектор жилых зданий", "рабочий лесхоза") must not outrank one
# that shares the head (gaps.search weighs such labels by HEAD_MISMATCH_WEIGHT). The head is the first
# word outside the qualifiers that is neither generic nor an adjective before another word ("школьный
# инспектор", "главный зоотехник"). The managing heads (начальник, директор, управляющий ...) stand for
# one another. Not for a Kazakh title (its head comes last) nor an English or Chinese one.
RUSSIAN_MANAGING_HEADS = frozenset(
    "начальник начальница заведующий заведующая руководитель руководительница директор директриса "
    "управляющий управляющая председатель".split()
)
_RUSSIAN_ADJECTIVE_ENDINGS = ("ый", "ий", "ой", "ая", "яя", "ое", "ее", "ые", "ие", "ого", "его", "ых", "их")
_KAZAKH_MARKS = (*_KAZAKH_AGENT_ENDINGS, *_KAZAKH_QUALIFIER_ENDINGS, *_KAZAKH_LOCATIVE, "сы", "си")


# A generic noun first ("оператор фасовочного аппарата", "рабочий по хозяйству") leaves the job to the
# words after it, as a labourer's place does (LABOURER_WORDS): no head then. So do the heads that the
# machine, the vehicle or the speciality after them names ("машинист погрузчика" is a lift-truck operator
# as "оператор погрузчика" is, "врач-офтальмолог" an ophthalmologist, "медсестра по уходу" a care worker
# as "медицинская сестра" is).
_GENERIC_NOUNS = frozenset(
    w for w in GENERIC_WORDS if _CYRILLIC.search(w) and not w.endswith(_RUSSIAN_ADJECTIVE_ENDINGS)
) | frozenset("рабочий рабочая рабочие служащий служащая машинист машинистка водитель водительница врач медсестра медбрат".split())


def russian_head(analysis: Analysis) -> int | None:
    """Index of the head noun of a Russian title of two or more words, None if there is none (see above)."""
    words = analysis.words
    if len(words) < 2 or any(not _CYRILLIC.search(w) for w in words):
        return None
    if any(w.endswith(_KAZAKH_MARKS) for w in words):
        return None
    qualifier = analysis.qualifier or [False] * len(words)
    candidates = [i for i, q in enumerate(qualifier) if not q]
    for n, i in enumerate(candidates):
        word = words[i]
        if word in LABOURER_WORDS or word in _GENERIC_NOUNS:
            return None  # "оператор фасовочного аппарата", "разнорабочий по хозяйству": the rest decides
        if analysis.generic[i]:
            continue  # "старший", "ведущий"
        if n + 1 < len(candidates) and word.endswith(_RUSSIAN_ADJECTIVE_ENDINGS) and word not in RUSSIAN_MANAGING_HEADS:
            continue
        return i
    return None


def _russian_place(token: str, word_stem: str) -> bool:
    return (
        _CYRILLIC.search(token) is not None
        and not token.endswith(_KAZAKH_QUALIFIER_ENDINGS)
        and (word_stem in _russian_place_stems() or (word_stem.endswith(RUSSIAN_PLACE_ROOTS) and len(word_stem) > 7))
    )


def _russian_place_phrase(tokens: list[str], stems: list[str], flags: list[bool]) -> None:
    """Flag the place phrase after a Russian job word (see RUSSIAN_PLACE_WORDS), in place."""
    place = next((i for i in range(1, len(tokens)) if _russian_place(tokens[i], stems[i])), None)
    if place is None:
        return
    after = tokens[place + 1 :]
    # A Kazakh job word after the place ("кірпіш заводының жұмысшысы") is the job: not this rule.
    if any(t.endswith((*_KAZAKH_AGENT_ENDINGS, "сы", "си", *_KAZAKH_QUALIFIER_ENDINGS)) for t in after):
        return
    start = place
    while (
        start - 1 >= 1
        and tokens[start - 1].endswith(_RUSSIAN_GENITIVE_ADJECTIVE)
        and tokens[start - 1] not in _SUBSTANTIVE_ADJECTIVES
        and _CYRILLIC.search(tokens[start - 1]) is not None
    ):
        start -= 1
    for i in range(start, len(tokens)):
        if not _CJK.match(tokens[i]):
            flags[i] = True


def _kazakh_place_locative(token: str) -> bool:
    """A known Kazakh place root in the plain locative ("зауытта", "базарда"; see KAZAKH_PLACE_ROOTS)."""
    for ending in _KAZAKH_PLAIN_LOCATIVE:
        if token.endswith(ending):
            root = token[: -len(ending)]
            if ending in ("нда", "нде"):  # the possessive before it: зауыт-ы-нда, ферма-сы-нда
                root, _ = _strip(root, ("сы", "си", "ы", "и"), min_stem=2)
            if root in KAZAKH_PLACE_ROOTS:
                return True
    return False


# A Kazakh place in the dative before the job says where the job is, as "в сельхозпредприятие"
# does: "ауылшаруашылық кәсіпорнына тракторшы" (a tractor driver for a farm enterprise),
# "өндіріске орамашы" (a packer for production). The dative word and the words before it (its
# attributes) are qualifiers. Endings (folded): -ға/-ге after a vowel, -ке after a voiceless
# consonant, and -на/-не after the possessive (-ына/-іне); not -қа after a consonant, which Russian
# nouns share ("плитка", "маска"), nor a bare -на ("машина").
_KAZAKH_DATIVE = ("ага", "ога", "уга", "ыга", "иге", "еге", "уге", "пке", "тке", "ске", "кке", "шке", "ына", "ине")


def _kazakh_dative_end(tokens: list[str]) -> int:
    """Index of the last Kazakh dative word before the job word, -1 if none."""
    for i in range(len(tokens) - 2, -1, -1):
        token = tokens[i]
        if len(token) >= 6 and _CYRILLIC.search(token) is not None and token.endswith(_KAZAKH_DATIVE):
            return i
    return -1


_PLACE_STEMS: frozenset[str] = frozenset()


@functools.cache
def _russian_place_stems() -> frozenset[str]:
    return frozenset(stem(word) for word in RUSSIAN_PLACE_WORDS)


def _place_stems() -> frozenset[str]:
    global _PLACE_STEMS
    if not _PLACE_STEMS:
        _PLACE_STEMS = frozenset(stem(word) for word in PLACE_WORDS)
    return _PLACE_STEMS


# Before a head word the place is what is managed, not where: 宾馆总经理 is a hotel manager (1411),
# 仓库主管 runs a warehouse; only the place says which unit group (as "супермаркет" before
# "директор"). After the place, a head word with or without 总/副 (general, deputy) keeps it whole.
CJK_PLACE_HEAD_WORDS = CJK_HEAD_WORDS | frozenset(["总监", "店长"])
# The head of a Chinese title is at its end. One that ends in one of these heads something (an
# establishment, a department, a shift): 公交公司经理, 养老院院长, 证券营业部经理, 保洁主管, 生产线领班;
# one that ends otherwise does the work (公交公司驾驶员, 养老院厨师, 证券营业部经纪人, 保洁员). Not the
# 长 of a rank or a crew (船长, 机长, 列车长, 厨师长, 护士长, and 班长, 队长: a squad or a team leads its work, in
# the army as on a site): those do the work of their unit group.
CJK_MANAGING_HEADS = (
    *sorted(CJK_HEAD_WORDS), "总监", "总裁", "董事长", "院长", "校长", "所长", "站长", "厂长", "矿长", "行长", "局长", "部长",
    "处长", "科长", "馆长", "园长", "场长", "店长", "会长", "主席", "理事长", "秘书长", "村长", "乡长", "县长", "市长", "镇长",
    "领班", "组长", "工长",
)


def cjk_heads_something(analysis: Analysis) -> bool | None:
    """Whether a Chinese title heads something (see CJK_MANAGING_HEADS); None for a title whose
    first word is not Chinese. The first word: what follows it qualifies it (酒店总经理（四星级）,
    县医院护工（男）)."""
    if not analysis.words or not _CJK.match(analysis.words[0]):
        return None
    return analysis.words[0].endswith(CJK_MANAGING_HEADS)


def _cjk_place(token: str) -> int:
    """Length of the place a Chinese title starts with (小区保洁 -> 2, 县医院护工 -> 3), 0 if none
    or if a head word follows it (宾馆总经理: see CJK_PLACE_HEAD_WORDS)."""
    place = 0
    for prefix in CJK_PLACE_PREFIXES:
        at = 0 if token.startswith(prefix) else (token.find(prefix) if prefix in CJK_PLACES_ANYWHERE else -1)
        if at >= 0 and len(token) > at + len(prefix) + 1:
            place = max(place, at + len(prefix))
    rest = token[place:].removeprefix("副").removeprefix("总")
    if place and (rest in CJK_PLACE_HEAD_WORDS or rest in CJK_MANAGING_HEADS):
        return 0
    return place


def _fill_features(result: Analysis) -> None:
    # Runs once per label at index build (~36,000 times): dict updates inlined.
    words, chars = result.word_features, result.char_features
    qualifiers = result.qualifier or [False] * len(result.words)
    rows = zip(result.words, result.stems, result.generic, qualifiers, strict=True)
    for token, word_stem, generic, qualifier in rows:
        weight = GENERIC_WEIGHT if generic else (QUALIFIER_WEIGHT if qualifier else 1.0)
        key = "w:" + word_stem
        words[key] = words.get(key, 0.0) + weight
        if _CJK.match(token):
            place = _cjk_place(token)
            for i, ch in enumerate(token):
                w = GENERIC_WEIGHT if ch in CJK_GENERIC_CHARS else (QUALIFIER_WEIGHT if i < place else 1.0)
                chars[ch] = chars.get(ch, 0.0) + w
            for i in range(len(token) - 1):
                bigram = token[i : i + 2]
                w = GENERIC_WEIGHT if bigram in CJK_GENERIC_BIGRAMS else (QUALIFIER_WEIGHT if i + 1 < place else 1.0)
                chars[bigram] = chars.get(bigram, 0.0) + w
            continue
        if token.startswith("cat:"):
            continue  # a licence category is a word, not letters to compare
        if len(word_stem) > PREFIX_LENGTH:
            key = "p:" + word_stem[:PREFIX_LENGTH]
            words[key] = words.get(key, 0.0) + PREFIX_WEIGHT * weight
        # Trigrams of the stem, padded at the start only: a typo costs two or three of them.
        padded = " " + word_stem
        for i in range(len(padded) - 2):
            key = padded[i : i + 3]
            chars[key] = chars.get(key, 0.0) + weight


def is_cjk(text: str) -> bool:
    return bool(_CJK.match(text))


def deletions(word: str) -> set[str]:
    """The word with one letter left out, each way (the keys of the search's spelling correction)."""
    return {word[:i] + word[i + 1 :] for i in range(len(word))}


def within_one_edit(a: str, b: str) -> bool:
    """At most one insertion, deletion, substitution or swap of neighbours apart."""
    if a == b:
        return True
    la, lb = len(a), len(b)
    if abs(la - lb) > 1:
        return False
    if la == lb:
        diff = [i for i in range(la) if a[i] != b[i]]
        if len(diff) == 1:
            return True
        return len(diff) == 2 and diff[1] == diff[0] + 1 and a[diff[0]] == b[diff[1]] and a[diff[1]] == b[diff[0]]
    if la > lb:
        a, b = b, a
    # b is a with one letter inserted
    i = 0
    while i < len(a) and a[i] == b[i]:
        i += 1
    return a[i:] == b[i + 1 :]


def _expand(parts: list[str]) -> list[str]:
    """Abbreviations spelled out (see ABBREVIATIONS)."""
    expanded: list[str] = []
    i = 0
    while i < len(parts):
        part = parts[i]
        pair = ABBREVIATED_PAIRS.get((part, parts[i + 1])) if i + 1 < len(parts) else None
        if pair:
            expanded.append(pair)
            i += 2
            continue
        if part in _JOINED_PREFIXES and i + 1 < len(parts) and not parts[i + 1].isdigit():
            expanded.append(_JOINED_PREFIXES[part] + parts[i + 1])
            i += 2
            continue
        expanded.append(ABBREVIATIONS.get(part, part))
        i += 1
    return expanded


# "unskilled construction worker", "forestry auxiliary worker", "production worker (unskilled)": the
# modifier says the worker is a labourer (major group 9), which is how the labels name them
# ("construction labourer", "forestry labourer"); read so, in labels and typed titles alike.
UNSKILLED_WORDS = frozenset("unskilled auxiliary auxilary ancillary".split())
_WORKER_WORDS = {"worker": "labourer", "workers": "labourers"}
_AGENT_ENDINGS = ("er", "ers", "or", "ors", "ist", "ists", "man", "men")


def _labourers(parts: list[str]) -> list[str]:
    """An unskilled or auxiliary worker read as a labourer (see UNSKILLED_WORDS); not beside another
    agent noun ("auxiliary miner worker" may be a miner's helper or a miner: left as typed)."""
    if not any(p in UNSKILLED_WORDS for p in parts) or not any(p in _WORKER_WORDS for p in parts):
        return parts
    if any(p.endswith(_AGENT_ENDINGS) and p not in _WORKER_WORDS for p in parts):
        return parts
    # Only where a word before the worker says what work ("construction", "factory"): "auxiliary worker
    # in a workshop" stays the auxiliary worker it was, not a labourer coded by the workshop.
    first = next(i for i, p in enumerate(parts) if p in _WORKER_WORDS)
    if not any(p not in UNSKILLED_WORDS and p not in DROPPED_WORDS and not p.isdigit() for p in parts[:first]):
        return parts
    return [_WORKER_WORDS.get(p, p) for p in parts if p not in UNSKILLED_WORDS]


def _tokens(normalized: str) -> list[str]:
    tokens = []
    parts = _labourers(_expand(normalized.split()))
    consumed: set[int] = set()
    for i, part in enumerate(parts):
        if part not in CATEGORY_WORDS:
            continue
        for j in (i + 1, i - 1):
            if 0 <= j < len(parts) and j not in consumed and _CATEGORY_LETTER.match(parts[j]):
                tokens.append("cat:" + parts[j].translate(_LATIN_LOOKALIKE))
                consumed.add(j)
                break
    for i, part in enumerate(parts):
        if part not in DRIVER_WORDS:
            continue
        j = i + 1
        while (
            j < len(parts)
            and j not in consumed
            and _CATEGORY_LETTER.match(parts[j])
            and all(_CATEGORY_LETTER.match(rest) for rest in parts[j + 1 :])
        ):
            tokens.append("cat:" + parts[j].translate(_LATIN_LOOKALIKE))
            consumed.add(j)
            j += 1
    for i, part in enumerate(parts):
        if i in consumed:
            continue
        if not _CJK.search(part):
            if len(part) > 1 and part not in DROPPED_WORDS and not _ORDINAL.match(part):
                tokens.append(part)
            continue
        # "java程序员": the Latin and the Chinese parts are words of their own.
        for piece in _CJK_RUN.split(part):
            if len(piece) > 1 and piece not in DROPPED_WORDS and not _ORDINAL.match(piece):
                tokens.append(piece)
        tokens.extend(_cjk_unqualified(run) for run in _CJK_RUN.findall(part))
    return _join_compounds(_kazakh_working_at(_without_cjk_notes(tokens)))


# "кафеде жұмыс істейтін бармен" (a barman working at a cafe) is "кафедегі бармен": the plain
# locative before "жұмыс істейтін" (working) becomes the locative-attributive (-дағы/-дегі/-тағы/-тегі,
# folded), a qualifier like it (see _qualifiers), and the two words go; without a locative before
# them they go alone ("жұмыс" must not meet labels of work: "жұмыс жүргізуші", "жару жұмыстары").
_WORKING = ("жумыс", "истейтин")


def _kazakh_working_at(tokens: list[str]) -> list[str]:
    out: list[str] = []
    i = 0
    while i < len(tokens):
        if tuple(tokens[i : i + 2]) == _WORKING and i + 2 < len(tokens):
            if out and _CYRILLIC.search(out[-1]) and out[-1].endswith(("да", "та", "де", "те")) and len(out[-1]) > 4:
                out[-1] += "гы" if out[-1].endswith(("да", "та")) else "ги"
            i += 2
            continue
        out.append(tokens[i])
        i += 1
    return out


# Ninth round (Chinese compounds). Officials in Xinjiang and Kazakhstan type traditional characters as
# often as simplified ones (廚師, 電工, 貨車司機): the analysis reads a Chinese run in simplified characters,
# by this table of the traditional characters of job titles (and 缷, a common variant of 卸). As with
# fold_latin_i, normalize() is left alone: it stays the key the sample files are split on.
_CJK_TRADITIONAL = str.maketrans(
    "師員廚務機車貨電護鍋爐遞銀會計髮發術醫藥農業場廠長導裝運輸駕駛維銷營經責衛潔傭飯館麵點縫紉織紡紗鋼鐵鋁銅礦煉鑄鍛鉗銑塗築樓設劃畫攝聽說譯記帳賬錄檔書圖園藝養飼獸雞鴨魚漁蟲線網絡腦軟體數據庫倉揀郵區開關門間陽東蘭熱氣壓燈聲視頻廣傳評論審稅險證質檢驗測試實習級資訓練學兒殯儀禮單輛飛騎鐘鍾錶針繡製膠紙標簽貼調劑價買賣換擔總監處隊組辦幹廳樂劇臺報編輯遊觀覽賓饃饢殺醬糧滷聯輪潛鑽採選環綠掃棄儲鏟揚鋪磚漿結構頂層鎖寫讀優權個們與為對從來後裡裏專職華僑國際貿購義財戶龍鳥馬驢駝豬蠶療診產婦嬰齒鏡駐縣鄉鎮礎礙勞動衝擊軸輥閥溫濕壺燒灣漢語詞講課歷範屬項領團黨幣錢貸額債紀雜繫統頁碼識別號頭膚補麗燙臉顧寵種棗蘋穀麥獵災幫賽籃韁轎軍鋸廢貝殼遲鈑鉚鏈絲綫櫃櫥傢窯錫鍍鋅轉饅餅餃鹵蝦湯飲執齡託殘聾啞缷",
    "师员厨务机车货电护锅炉递银会计发发术医药农业场厂长导装运输驾驶维销营经责卫洁佣饭馆面点缝纫织纺纱钢铁铝铜矿炼铸锻钳铣涂筑楼设划画摄听说译记账账录档书图园艺养饲兽鸡鸭鱼渔虫线网络脑软体数据库仓拣邮区开关门间阳东兰热气压灯声视频广传评论审税险证质检验测试实习级资训练学儿殡仪礼单辆飞骑钟钟表针绣制胶纸标签贴调剂价买卖换担总监处队组办干厅乐剧台报编辑游观览宾馍馕杀酱粮卤联轮潜钻采选环绿扫弃储铲扬铺砖浆结构顶层锁写读优权个们与为对从来后里里专职华侨国际贸购义财户龙鸟马驴驼猪蚕疗诊产妇婴齿镜驻县乡镇础碍劳动冲击轴辊阀温湿壶烧湾汉语词讲课历范属项领团党币钱贷额债纪杂系统页码识别号头肤补丽烫脸顾宠种枣苹谷麦猎灾帮赛篮缰轿军锯废贝壳迟钣铆链丝线柜橱家窑锡镀锌转馒饼饺卤虾汤饮执龄托残聋哑卸",
)
# Variant spellings and the homophone typos officials make most, read as the word meant: 砼 is the
# construction sites' one-character 混凝土 (砼工 = 混凝土工), 收营员 the cashier's 收银员 typed by sound,
# 挖据机 the 挖掘机.
CJK_SPELLINGS = {"砼": "混凝土", "收营员": "收银员", "挖据机": "挖掘机"}
# Notes in brackets or after a title say who may apply, not the job: 电工（持证上岗）, 保安(男), 普工 长白班.
# Dropped when a title remains; 持证/有证 before a title (持证电工) are dropped like a grade.
CJK_NOTE_WORDS = frozenset([
    "持证", "持证上岗", "有证", "持证优先", "有证优先", "男", "女", "男女不限", "长白班", "急招", "急聘", "包吃住",
    "若干", "多名", "数名",
])
# Places of the border region before a title (霍尔果斯装卸工, 伊宁市厨师, 霍城县钢筋工): where, not which job.
# Dropped (with the 市/县/州/地区 after them) when two characters or more remain.
CJK_PLACE_NAMES = (
    "乌鲁木齐", "霍尔果斯", "阿拉山口", "察布查尔", "克拉玛依", "巴音郭楞", "博尔塔拉", "伊宁", "塔城", "博乐",
    "奎屯", "阿勒泰", "喀什", "石河子", "昌吉", "霍城", "伊犁", "阿克苏", "哈密", "和田", "库尔勒", "吐鲁番", "精河",
    "新疆", "北疆", "南疆", "阿拉木图", "阿斯塔纳", "努尔苏丹", "奇姆肯特", "扎尔肯特", "哈萨克斯坦",
)
_CJK_ADMIN_SUFFIXES = ("地区", "市", "县", "州", "区")
# A workplace (a name ending in one of these) before a trade's own title: 棉纺厂电工, 钢结构厂电焊工, 加油站收银员,
# 煤矿井下电工 are electricians, welders and cashiers wherever they work. Only before the heads of
# CJK_TRADE_HEADS, whose unit group no employer changes (not 司机 or 驾驶员: 公交公司司机 drives a bus;
# not 操作工, 工人 or 普工: 化工厂操作工 is told by its plant; not 木工 or 油漆工: 家具厂木工 makes furniture
# (7522); not 服务员, 营业员 or 理货员: 加油站服务员, 银行营业员, 超市理货员 are told by their place), is the
# workplace dropped.
CJK_WORKPLACE_ENDINGS = ("厂", "矿", "公司", "店", "站", "场", "园", "院", "所", "队", "局", "中心", "集团", "工地", "车间", "井下")
CJK_TRADE_HEADS = (
    "电工", "维修电工", "电焊工", "焊工", "气焊工", "厨师", "保洁员", "保洁工", "清洁工", "保安", "保安员", "门卫", "会计",
    "出纳", "出纳员", "文员", "锅炉工", "司炉工", "瓦工", "水暖工", "管道工", "仓管员", "仓库管理员",
    "库管员", "保管员", "叉车司机", "叉车工", "收银员", "洗碗工", "帮厨", "装卸工", "搬运工", "货车司机", "挖掘机司机",
    "装载机司机", "铲车司机", "塔吊司机", "吊车司机", "洗衣工", "水电工", "汽车修理工", "汽修工", "绿化工", "育婴师", "保育员", "统计员", "资料员", "打字员",
)


def _cjk_unqualified(run: str) -> str:
    """A Chinese title without a grade or season word before it (see CJK_QUALIFIER_PREFIXES) or an
    apprentice's word after it (电工学徒 is an electrician in training, as "apprentice" is generic)."""
    run = run.translate(_CJK_TRADITIONAL)
    if run in CJK_NOTE_WORDS:
        return run
    for wrong, right in CJK_SPELLINGS.items():
        if wrong in run:
            run = run.replace(wrong, right)
    run = _cjk_without_place_name(run)
    for prefix in (*CJK_QUALIFIER_PREFIXES, "持证", "有证"):
        if run.startswith(prefix) and len(run) - len(prefix) >= 2:
            run = run[len(prefix) :]
            break
    run = _cjk_trade_without_workplace(run)
    for suffix in CJK_APPRENTICE_SUFFIXES:
        if run.endswith(suffix) and len(run) - len(suffix) >= 2:
            return run[: -len(suffix)]
    return run


def _cjk_without_place_name(run: str) -> str:
    """A Chinese title without a border-region place name before it (see CJK_PLACE_NAMES)."""
    for name in CJK_PLACE_NAMES:
        if run.startswith(name):
            rest = run[len(name) :]
            for suffix in _CJK_ADMIN_SUFFIXES:
                if rest.startswith(suffix) and len(rest) - len(suffix) >= 2:
                    rest = rest[len(suffix) :]
                    break
            return rest if len(rest) >= 2 else run
    return run


def _cjk_trade_without_workplace(run: str) -> str:
    """A trade's own title without the workplace before it (see CJK_TRADE_HEADS)."""
    head = max((h for h in CJK_TRADE_HEADS if run.endswith(h)), key=len, default="")
    before = run[: len(run) - len(head)]
    if head and len(before) >= 2 and before.endswith(CJK_WORKPLACE_ENDINGS):
        return head
    return run


def _without_cjk_notes(tokens: list[str]) -> list[str]:
    """The tokens without the notes of CJK_NOTE_WORDS, nor a bare place after the title (砼工（工地）,
    保洁（医院）: see CJK_PLACE_PREFIXES), if any other token remains."""
    kept = [t for i, t in enumerate(tokens) if t not in CJK_NOTE_WORDS and not (i and t in CJK_PLACE_PREFIXES)]
    return kept if kept and len(kept) < len(tokens) else tokens


def _join_compounds(tokens: list[str]) -> list[str]:
    if len(tokens) < 2:
        return tokens
    joined: list[str] = []
    for token in tokens:
        # The second part may be inflected: "қонақ үйдің" (the hotel's) is "қонақүйдің".
        second = next((s for s in _COMPOUND_SECONDS if token.startswith(s)), None)
        if joined and second and (joined[-1], second) in _KAZAKH_COMPOUNDS:
            joined[-1] = _KAZAKH_COMPOUNDS[(joined[-1], second)] + token[len(second) :]
        else:
            joined.append(token)
    return joined
