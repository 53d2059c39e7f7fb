"""The quality suite's sets read from data files in ``benchmarks/data`` (real tables, UCR
signals, corpora; sources in its README), and how every table set is read."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from clustering.dataset import Dataset


def table_set(name: str, frame: pd.DataFrame, labels) -> Dataset:
    """Read as ``clusterlab run`` reads a table file (a signal is recognised as a series)."""
    from clustering.loaders import dataset_from_frame

    frame = frame.reset_index(drop=True).copy().assign(label=np.asarray(labels))
    return dataset_from_frame(frame, name=name, label_column="label")


def sklearn_table(name: str, loader: str) -> Dataset:
    from sklearn import datasets

    bunch = getattr(datasets, loader)(as_frame=True)
    frame = bunch.frame.drop(columns=["target"])
    frame.columns = [str(c).replace(" ", "_") for c in frame.columns]
    return table_set(name, frame, bunch.target.to_numpy())


DATA = Path(__file__).parent / "data"


def penguins(measures_only: bool = False) -> Dataset:
    """Palmer penguins by species: island, four measurements, sex and year (rows with gaps
    dropped: 333; island and sex are categories, which ``clusterlab run`` leaves out)."""
    frame = pd.read_csv(DATA / "penguins.csv").dropna()
    drop = ["species", "island", "sex", "year"] if measures_only else ["species"]
    return table_set("penguins-measures" if measures_only else "penguins", frame.drop(columns=drop),
                  frame["species"].to_numpy())


def cars() -> Dataset:
    """1970s-80s cars by origin (USA, Europe, Japan): consumption, engine, weight,
    acceleration and year (rows with gaps dropped: 392)."""
    frame = pd.read_csv(DATA / "cars.csv").dropna()
    return table_set("cars", frame.drop(columns=["Name", "Origin"]), frame["Origin"].to_numpy())


def crabs() -> Dataset:
    """Leptograpsus crabs (MASS): 5 shell measurements of 200 crabs, 4 groups (2 colour
    forms x 2 sexes, 50 each); size dominates every column, the groups differ in shape."""
    frame = pd.read_csv(DATA / "crabs.csv")
    groups = (frame["sp"] + "-" + frame["sex"]).to_numpy()
    return table_set("crabs", frame.drop(columns=["sp", "sex", "index"]), groups)


def biopsy() -> Dataset:
    """Wisconsin breast-cancer biopsies (MASS ``biopsy``, the original 1992 data, not
    scikit-learn's ``breast-cancer``): 9 cytology scores of 1-10, benign or malignant (rows
    with gaps dropped: 683)."""
    frame = pd.read_csv(DATA / "biopsy.csv").dropna()
    return table_set("biopsy", frame.drop(columns=["ID", "class"]), frame["class"].to_numpy())


def glass() -> Dataset:
    """Forensic glass fragments (MASS ``fgl``): refractive index and 8 oxides of 214
    fragments, 6 kinds of glass of very unequal counts (9 to 76)."""
    frame = pd.read_csv(DATA / "fgl.csv")
    return table_set("glass", frame.drop(columns=["type"]), frame["type"].to_numpy())


def pima() -> Dataset:
    """Pima women tested for diabetes (MASS ``Pima.tr`` and ``Pima.te``, 532): 7 clinical
    measurements, diabetic or not (a hard set: the classes overlap)."""
    frame = pd.read_csv(DATA / "pima.csv")
    return table_set("pima", frame.drop(columns=["type"]), frame["type"].to_numpy())


def davis() -> Dataset:
    """Self-reports and measurements of 200 adults by sex (``car::Davis``): measured and
    reported weight and height, 17 reports missing (rows with gaps dropped: 183), and one
    recorded with height and weight swapped, as in the original."""
    frame = pd.read_csv(DATA / "davis.csv").dropna()
    return table_set("davis", frame.drop(columns=["sex"]), frame["sex"].to_numpy())


def mpg() -> Dataset:
    """234 cars of 1999 and 2008 by class (``ggplot2::mpg``: compact, SUV, pickup, ...; 5 to
    62 each): displacement, year, cylinders, city and highway mileage, and the maker,
    transmission, drive and fuel as categories (the model name left out)."""
    frame = pd.read_csv(DATA / "mpg.csv")
    return table_set("mpg", frame.drop(columns=["model", "class"]), frame["class"].to_numpy())


def zoo() -> Dataset:
    """101 animals by type (UCI Zoo: mammal, bird, fish, ... ; 4 to 41 each): 15 yes/no
    attributes and the number of legs (the name left out)."""
    frame = pd.read_csv(DATA / "zoo.csv")
    return table_set("zoo", frame.drop(columns=["name", "type"]), frame["type"].to_numpy())


def heart_disease() -> Dataset:
    """303 Cleveland heart patients, narrowed coronary artery or not (UCI Heart Disease):
    age, 5 measurements and 7 findings, 4 of them categories (rows with gaps dropped: 297)."""
    frame = pd.read_csv(DATA / "heart-disease.csv").dropna()
    label = "diameter narrowing"
    return table_set("heart-disease", frame.drop(columns=[label]), frame[label].to_numpy())


def ionosphere() -> Dataset:
    """351 radar returns from the ionosphere, good or bad (UCI Ionosphere): 34 columns,
    17 pulses' real and imaginary parts."""
    frame = pd.read_csv(DATA / "ionosphere.csv")
    return table_set("ionosphere", frame.drop(columns=["y"]), frame["y"].to_numpy())


def yeast_genes() -> Dataset:
    """186 yeast genes by function (Brown et al. 2000 as shipped in Orange3: ribosomal,
    respiration, proteasome; 30 to 121 each): expression at 79 time points of four
    experiments (214 gaps filled along each gene's row)."""
    frame = pd.read_csv(DATA / "yeast-genes.csv")
    return table_set("yeast-genes", frame.drop(columns=["function", "gene"]),
                  frame["function"].to_numpy())


def ucr(name: str) -> Dataset:
    frame = pd.read_csv(DATA / f"{name}.csv.gz")
    return table_set(name, frame.drop(columns=["class"]), frame["class"].astype(str).to_numpy())


def corpus(name: str, label: str = "category") -> Dataset:
    from clustering.loaders import dataset_from_frame

    frame = pd.read_csv(DATA / f"{name}.csv.gz")
    return dataset_from_frame(frame, name=name, label_column=label, text_column="text")


def debian_descriptions(name: str) -> Dataset:
    """One-line Debian package descriptions of ``benchmarks/data/NAME.csv``, labelled by
    section (the package's name left out)."""
    from clustering.loaders import dataset_from_frame

    frame = pd.read_csv(DATA / f"{name}.csv")
    return dataset_from_frame(frame.drop(columns=["package"]), name=name,
                              label_column="section", text_column="text")


def debian_packages() -> Dataset:
    """480 one-line Debian package descriptions (bookworm), 80 from each of six sections:
    games, sound, mail, database, amateur radio, version control."""
    return debian_descriptions("debian-packages")


def prestige() -> Dataset:
    """Canadian occupations of 1971 by type (``car::Prestige``: blue collar, professional,
    white collar; 23 to 44 each): education, income, share of women, prestige score and
    census code (the 4 occupations without a type dropped: 98)."""
    frame = pd.read_csv(DATA / "prestige.csv").dropna(subset=["type"])
    return table_set("prestige", frame.drop(columns=["occupation", "type"]),
                     frame["type"].to_numpy())


def survey() -> Dataset:
    """237 Adelaide statistics students by sex (``MASS::survey``): hand spans, pulse, height,
    age and six answers as categories (rows with gaps dropped: 154)."""
    frame = pd.read_csv(DATA / "survey.csv").dropna()
    return table_set("survey", frame.drop(columns=["Sex"]), frame["Sex"].to_numpy())


def galton_families() -> Dataset:
    """Galton's 934 grown children of 205 families by gender (``HistData::GaltonFamilies``):
    father's, mother's, mid-parent's and own height, family size and birth order (the family
    code left out)."""
    frame = pd.read_csv(DATA / "galton-families.csv")
    return table_set("galton-families", frame.drop(columns=["family", "gender"]),
                     frame["gender"].to_numpy())


def skulls() -> Dataset:
    """150 Egyptian male skulls of five epochs from 4000 BC to AD 150 (``HSAUR::skulls``),
    30 each: four measurements (a hard set: the epochs overlap)."""
    frame = pd.read_csv(DATA / "skulls.csv")
    return table_set("skulls", frame.drop(columns=["epoch"]), frame["epoch"].to_numpy())


def cars93() -> Dataset:
    """93 cars of 1993 by type (``MASS::Cars93``: small, midsize, compact, sporty, large, van;
    9 to 22 each): prices, mileage, engine, size and weight, and six categories (maker and
    model left out; the two columns with gaps, rear seat room and luggage room, dropped, and
    the cylinders, which ``clusterlab run`` refuses for the one rotary engine among numbers)."""
    frame = pd.read_csv(DATA / "cars93.csv", keep_default_na=False, na_values=[""])
    drop = ["Manufacturer", "Model", "Make", "Type", "Rear.seat.room", "Luggage.room",
            "Cylinders"]
    return table_set("cars93", frame.drop(columns=drop), frame["Type"].to_numpy())


def midwest() -> Dataset:
    """437 counties of five Midwest states by state (``ggplot2::midwest``, 1990 census: IL,
    IN, MI, OH, WI; 72 to 102 each): area, population, ethnic shares, education and poverty
    (county name, id and the census category code left out)."""
    frame = pd.read_csv(DATA / "midwest.csv")
    return table_set("midwest", frame.drop(columns=["PID", "county", "state", "category"]),
                     frame["state"].to_numpy())


def cats() -> Dataset:
    """144 adult cats by sex (``MASS::cats``, 47 female, 97 male): body and heart weight."""
    frame = pd.read_csv(DATA / "cats.csv")
    return table_set("cats", frame.drop(columns=["Sex"]), frame["Sex"].to_numpy())


def basic_motions() -> Dataset:
    """80 recordings of four activities (standing, walking, running, badminton; UCR
    BasicMotions): a wrist sensor's 3 accelerometer and 3 gyroscope axes, 100 readings each,
    side by side (600 columns)."""
    frame = pd.read_csv(DATA / "basic-motions.csv.gz")
    return table_set("basic-motions", frame.drop(columns=["activity"]),
                     frame["activity"].to_numpy())


def debian_sections() -> Dataset:
    """360 one-line Debian package descriptions (bookworm), 60 from each of six sections
    unlike ``debian-packages``': science, graphics, web, editors, math, video."""
    return debian_descriptions("debian-sections")


def salaries() -> Dataset:
    """397 US college teachers of 2008-09 by rank (``car::Salaries``: assistant, associate,
    full professor; 64 to 266 each): years since the PhD, years of service and salary, and
    discipline and sex (categories, which ``clusterlab run`` leaves out)."""
    frame = pd.read_csv(DATA / "salaries.csv")
    return table_set("salaries", frame.drop(columns=["rank"]), frame["rank"].to_numpy())


def guerry() -> Dataset:
    """85 French departments of the 1830s by region (``HistData::Guerry``: north, south,
    east, west, centre; 17 each; Corsica, without one, dropped): crime, literacy, donations,
    suicides, wealth and 14 more moral statistics (department name and number left out)."""
    frame = pd.read_csv(DATA / "guerry.csv").dropna(subset=["Region"])
    return table_set("guerry", frame.drop(columns=["dept", "Department", "Region"]),
                     frame["Region"].to_numpy())


def synth() -> Dataset:
    """Ripley's two-class synthetic training set (``MASS::synth.tr``): 250 points in 2-D, each
    class a mixture of two Gaussians."""
    frame = pd.read_csv(DATA / "synth.csv")
    return table_set("synth", frame.drop(columns=["yc"]), frame["yc"].to_numpy())


def uscereal() -> Dataset:
    """65 US breakfast cereals by maker (``MASS::UScereal``: General Mills, Kellogg, Post,
    Quaker, Ralston, Nabisco; 3 to 22 each): nutrition per portion, shelf and vitamins
    (the cereal's name left out)."""
    frame = pd.read_csv(DATA / "uscereal.csv")
    return table_set("uscereal", frame.drop(columns=["cereal", "mfr"]), frame["mfr"].to_numpy())


def soils() -> Dataset:
    """48 soil samples by depth (``car::Soils``: 0-10, 10-30, 30-60, 60-90 cm; 12 each): pH,
    nitrogen, density, phosphorus, calcium, magnesium, potassium, sodium, conductivity (the
    design's contour, block and group codes left out)."""
    frame = pd.read_csv(DATA / "soils.csv")
    return table_set("soils", frame.drop(columns=["Group", "Contour", "Depth", "Gp", "Block"]),
                     frame["Depth"].to_numpy())


def labelled_signals(name: str, label: str) -> Dataset:
    """A signal file of ``benchmarks/data`` (readings side by side, the class in ``label``)."""
    frame = pd.read_csv(DATA / f"{name}.csv.gz")
    return table_set(name, frame.drop(columns=[label]), frame[label].astype(str).to_numpy())


def liver() -> Dataset:
    """606 rats by dose of a drug (``texmex::liver``: doses A-D, 148-158 each): four liver
    enzymes measured before and after."""
    frame = pd.read_csv(DATA / "liver.csv")
    return table_set("liver", frame.drop(columns=["dose"]), frame["dose"].to_numpy())


def duncan() -> Dataset:
    """45 US occupations of 1950 by type (``car::Duncan``: blue collar 21, professional 18,
    white collar 6): income, education, prestige (the occupation's name left out)."""
    frame = pd.read_csv(DATA / "duncan.csv")
    return table_set("duncan", frame.drop(columns=["occupation", "type"]),
                     frame["type"].to_numpy())


def msleep() -> Dataset:
    """76 mammals by diet (``ggplot2::msleep``: herbivore 32, omnivore 20, carnivore 19,
    insectivore 5; 7 without one dropped): hours asleep and awake and body weight, with their
    order and conservation status as categories (names and the columns with gaps left out)."""
    frame = pd.read_csv(DATA / "msleep.csv").dropna(subset=["vore"])
    frame = frame.drop(columns=["name", "genus", "sleep_rem", "sleep_cycle", "brainwt"])
    return table_set("msleep", frame.drop(columns=["vore"]), frame["vore"].to_numpy())


def baumann() -> Dataset:
    """66 children by reading lesson (``car::Baumann``: 22 each of Basal, DRTA, Strat): two
    tests before the lessons and three after."""
    frame = pd.read_csv(DATA / "baumann.csv")
    return table_set("baumann", frame.drop(columns=["group"]), frame["group"].to_numpy())


def veteran() -> Dataset:
    """137 lung-cancer patients of a Veterans' Administration trial by cell type
    (``survival::veteran``: 27-48 each): treatment, survival time and status, Karnofsky
    score, months from diagnosis, age, prior therapy."""
    frame = pd.read_csv(DATA / "veteran.csv")
    return table_set("veteran", frame.drop(columns=["celltype"]), frame["celltype"].to_numpy())


def kyphosis() -> Dataset:
    """81 children after spinal surgery, kyphosis present (17) or not (``rpart::kyphosis``):
    age, number of vertebrae involved, the first one operated on."""
    frame = pd.read_csv(DATA / "kyphosis.csv")
    return table_set("kyphosis", frame.drop(columns=["Kyphosis"]), frame["Kyphosis"].to_numpy())


def crime() -> Dataset:
    """630 county-years of North Carolina, 1981-87, by region (``Ecdat::Crime``: central 238,
    west 147, other 245): crime rate, arrest, conviction and prison odds, sentences, police,
    density, taxes, minorities, wages of nine sectors, ... (county and year left out)."""
    frame = pd.read_csv(DATA / "crime.csv")
    return table_set("crime", frame.drop(columns=["county", "year", "region"]),
                     frame["region"].to_numpy())


def table_file(name: str, label: str, drop: tuple[str, ...] = (), dropna: bool = False
                ) -> Dataset:
    """A table of ``benchmarks/data`` by its ``label`` column (``drop``: names left out)."""
    frame = pd.read_csv(DATA / f"{name}.csv")
    if dropna:
        frame = frame.dropna()
    return table_set(name, frame.drop(columns=[label, *drop]), frame[label].astype(str).to_numpy())
