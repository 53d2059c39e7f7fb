"""Version numbers that key stored results.

``PIPELINE_VERSION`` is part of every run's content key: bump it (and say why in the commit)
whenever a change alters what a run computes — labels, map, confidence, metrics or saved
models. Comments, refactors and speed-ups that keep results identical leave it alone, so
stored runs stay reusable.
"""

__version__ = "0.1.0"

PIPELINE_VERSION = 40
"""2: deep-method settings (``RunConfig.options``) became part of the config; TEMI's
temperatures (0.2/0.1) and its teacher EMA on short runs changed. 3: column roles (ids and
categories are not features by default). 4 (stop 29): the ``umap-*`` methods' and ``auto``'s
UMAPs of 5,000 rows and more lay out in 200 epochs, and ``auto`` on the CPU trains only the
fine-tuned view for images of 16 px and more. 5 (stop 30): ``auto``'s contrastive pretext
trains 1,000 steps (bfloat16 on CPUs that compute it natively), and the EfficientNet runs
channels-last (same arithmetic in another order, so other fine-tuned views). 6 (stop 31):
``auto`` draws a merged candidate on the fine-tuned image view
(:mod:`clustering.merge_clusters`), which can win. 7 (stop 33): tables of a signal in strong
noise are read as series (:func:`clustering.series.column_gaps`), and ``auto``'s baseline UMAP
of texts (and its vote) is 5-D. 8 (stop 34): the signal encoder averages rows longer than 128
readings down to 128 (:data:`clustering.deep.pretexts.SERIES_MAX_LENGTH`), and ``auto`` judges
aligned signals in the raw readings' neighbour graph as well (:data:`clustering.series.
ALIGNED_FROM`). 9 (stop 35): ``auto`` draws no k-means candidate on texts' sentence
embeddings (:data:`clustering.auto_candidates.NO_RAW_KMEANS`), ``fill_missing`` can fill
a table's empty cells, and missing-value marks such as ``?`` in a column of numbers are read
as empty (:data:`clustering.column_plan.MISSING_MARKS`). 10 (stop 36): numbers written with a
decimal comma, thousands separators, a per-cent or a currency sign are read as numbers
(:func:`clustering.number_styles.number_style`) and non-UTF-8 CSVs as Windows-1252, where
both were categories or refused before; the image encoder pools with plain average
pooling where it can (same values, another order of float work in bfloat16); texts are
embedded in bfloat16 on CPUs that compute it natively
(:func:`clustering.text_features.encode_precision`). 11 (stop 37): ``auto`` estimates a
table's k from the prediction strength averaged over three UMAPs of the features
(:data:`clustering.auto.STRENGTH_UMAPS`), JSON Lines files are read, and an embedding read
from a table can be a subset of its columns. 12 (stop 39): ``auto`` draws spectral clustering
of the features' graph only where learned views alone judge
(:data:`clustering.auto_candidates.SPECTRAL_ONLY_WITH_VIEW`). 13 (stop 42): ``auto`` trains
the learned view of signals and images from 30 rows up, not only above 200
(:data:`clustering.auto_views.MIN_VIEW_ROWS`). 14 (stop 43): exact nearest neighbours list
each row first at distance exactly 0 (:func:`clustering.projection.knn_graph`), which
changes every UMAP of more than 15 columns and up to 20,000 rows (maps, ``umap-*`` methods,
``auto``'s views). 15 (stop 44): on the CPU ``auto`` fine-tunes the pretrained image encoder
150 steps, not 60 (:data:`clustering.auto_views.FINETUNE_STEPS`). (16 keyed stop 50's windows
over long texts, put back.) 17 (stop 51): ``auto`` gives texts of which the sentence model
reads less than half a view of their words (:data:`clustering.auto_views.WORDS`). 18 (stop
52): on a GPU every training loop but ``auto``'s contrastive pretext runs in float32, not
bfloat16 (:meth:`clustering.deep.common.TrainContext.autocast`); nothing changes on a CPU.
19 (stop 53): on a CPU, ``auto`` has the sentence model read a shorter opening of each long
text where a large collection would not keep to the time budget
(:func:`clustering.text_budget.reading_window`). 20 (stop 54): a table whose only long
text column holds short texts (under 8 words) beside 3 number columns or more, or long values
of one piece (ids, hashes, URLs, timestamps), is read as a table, not as texts
(:mod:`clustering.text_column_guess`); signals beside a row number are read as signals, the
row number left out (:func:`clustering.column_roles.id_columns`); a 2-D ``.npy`` read with
kind ``images`` holds rows of square images' pixels, and so does a table read with kind
``images`` (it was read as a table) or whose columns are named like pixels
(:mod:`clustering.image_arrays`); ``auto`` draws no spectral candidate on images
(:data:`clustering.auto_candidates.NO_SPECTRAL`; never picked there, so no pick changes, but
the stored alternatives do). 21 (stop 55): on a CPU the fine-tuning of ``auto``'s image
encoder gets no more than the rest of the run leaves of its 2 minutes
(:func:`clustering.auto_views.finetune_seconds`), so on a slow machine fewer steps; CSV
files are read in more layouts (:mod:`clustering.csv_layout`: a European CSV split on ``;``,
a first line of numbers that is data, a ``.txt`` of one text per line) and a Parquet column
of lists is spread into columns, so such files give other rows and columns than before;
image folders and zips also read TIFF and BMP files (:data:`clustering.images.ALLOWED_FORMATS`).
22 (stop 56): image folders and zips also read GIF and DICOM files
(:mod:`clustering.dicom_images`, also DICOM files without an ending), so such a folder gives
other rows than before; 16-bit and float images of a folder are brought to 8 bits over the
collection's range, not each over its own (:func:`clustering.images.decode_images`).
23 (stop 57): a run in chunks reads 16-bit and float images over its sample's range, not
each over its own; a CSV read in chunks gets the whole file's column types (a column with
text after its first 100,000 rows is text, not gaps); DICOM files in lossless JPEG and
JPEG-LS are read (:mod:`clustering.dicom_sandbox`), so such a folder gives other rows.
24 (stop 58): enhanced DICOM files are read through their frame's rescale and window (from
their functional groups), radiographs without a window through their VOI LUT and
windows marked ``SIGMOID`` through their S-curve
(:mod:`clustering.dicom_images`), so such images read otherwise; a JSON Lines field whose
lists differ between the blocks of a run in chunks is text in every block, and a
one-text-per-line ``.txt`` is read in chunks; a run in chunks whose sample mixes 16-bit or
float images with 8-bit ones or with each other reads each kind over the sample's range for
it, not each image over its own. 25: images larger than 64 px (or of several sizes) are reduced to
a side chosen from their size and number (``clustering.images.image_side``: 96, 64, 48 or 32)
instead of always 32, and ``RunConfig.image_size`` is None unless given; images with a
learned view get no k-means candidate on their raw pixels (never picked). 26 (stop 68):
tables, JSON and text files in UTF-16 or UTF-32 with a byte-order mark are read in it
(:func:`clustering.csv_layout.file_encoding`; their columns were noise), and a column of
numbers that all carry one unit (``5.2 kg``) is read as numbers
(:func:`clustering.number_styles.number_style`), where it was left out as text; a column
typed as dates (Excel, Parquet) is left out, where it was clustered on as nanoseconds;
photos are turned upright by their EXIF orientation (:func:`clustering.images._upright`);
an Excel sheet's title rows above its header are skipped as a CSV's are; a CSV column of
lists of numbers written as text (``"[0.1, -2.5]"``) is spread over columns as a JSON field
is (:func:`clustering.json_tables.vectors_from_text`); texts in Chinese, Japanese or Thai
are found as texts (their characters count as words, :mod:`clustering.text_column_guess`)
and their TF-IDF reads runs of such characters as bigrams (:mod:`clustering.text_terms`);
``auto`` gives texts whose letters are mostly not Latin the view of their words
(:data:`clustering.auto_views.OTHER_SCRIPTS`). 27 (stop 69): an Excel workbook's sheet
spanning the most cells is read, where the first was (a notes sheet first made its notes
the table); a ``.json`` table in pandas' other layouts (columns, index, split, arrays) is
read, where it was refused (:mod:`clustering.json_layouts`); a text holding HTML tags is
read as the words it shows (:mod:`clustering.html_text`), where its markup was embedded;
a last row totalling or averaging the rows above is left out
(:mod:`clustering.summary_rows`), where it was clustered; rows of a CSV repeating its
header (files joined one after another) are left out, where the file was refused; a
column of short texts is read as the texts when the file has no column of numbers besides
(:mod:`clustering.text_column_guess`), where it had "no usable column"; a Parquet struct
column is spread into its fields (:func:`clustering.json_tables.flatten_structs`), where it
was one column of JSON text; a row naming groups of columns above the header (a report's
two-row header) is skipped, where it was taken as the header. 28 (stop 70): a folder or zip of
text files is read as texts, one per file (:mod:`clustering.text_folders`), where it was
refused; a table beside a folder's files that names them gives their ground truth from the
label column and its other columns for colouring and export
(:mod:`clustering.folder_tables`), where ``label_column`` was ignored for folders; a
workbook's sheets of one header are read as one table, where the largest sheet was; a
column of sentences that mostly repeat is read as texts, where the file had "no usable
column"; numeric columns of 3-5 values that are most of a table's numeric columns (a survey's
answers) are clustered on, where they were read like categories. 29 (stop 71): a table of
counts (50 or more columns of whole numbers of zero or more, a quarter of the cells or more
zero: genes, taxa, words) is clustered on its log-normalised counts' principal components
(:mod:`clustering.count_tables`), where its columns were standardised (and those of 2-5
values read like categories), and ``auto`` trains no SCARF view for it. 30 (stop 74): a
table of whole numbers with few zeros but deep reads (a median row total of 100,000 or more:
bulk RNA-seq filtered of its rarely read genes) is read as counts too
(:data:`clustering.count_tables.DEEP_TOTAL`), where its columns were standardised; a table
naming image files in its folder is read as those images (:mod:`clustering.image_manifest`),
where its other columns were clustered; a table of counts wider than 20,000 columns keeps its
most-read columns (:mod:`clustering.wide_counts`), where it was refused; an ``.h5ad`` whose X
and raw are normalised reads its counts from ``layers["counts"]``. 31 (stop 76): a column of
numbers whose commas may part thousands or be decimal commas (``51,364``) is read as the
table's other columns write their numbers (:func:`clustering.number_styles.separator_hint`),
where it was left out; the contrastive image encoder max-pools images of 8 to 15 pixels after
its first convolution (:data:`clustering.deep.contrastive.POOL_FROM`), so ``auto`` and the
deep methods give ``demo:digits`` other labels. 32 (stop 78): columns of numbers written as
spreadsheets write them (``5,1``, ``12%``, ``5.2 kg``) count as numbers when a file is looked
at for a column of texts (:mod:`clustering.text_column_guess`), so a CSV with a decimal comma
and a column of names is clustered on its numbers, where its names were clustered as texts;
semicolons between a file's cells settle ``12,345`` as a decimal comma where no column does;
thousands marked by points or spaces before a decimal comma (``1.234,5``, ``1 234,5``) are read
as numbers, where the column was left out; a spreadsheet formula's error in a column of numbers
(``#DIV/0!``) is an empty cell, where the column was refused; 16-bit TIFFs and PNGs six times
the side they are brought to or more are read, where they were refused ("image has wrong
mode"); JPEGs are counted at the size they decode at against the collection's pixel cap, which
allows 10 pixels a byte of the files past its fixed 10 gigapixels, where larger collections
were refused; AVIF images are read, where they were skipped. 33 (stop 79): HEIC/HEIF photos
(``.heic`` as iPhones save them, cameras' 10-bit ``.hif``) are read
(:data:`clustering.images.HEIF_SUFFIXES`), where they were skipped and a folder of them was
refused; DICOM files in High-Throughput JPEG 2000 are read (pylibjpeg-openjpeg), where they
were refused. 34 (stop 80): a text whose structural tag has words but no ``name=value``
after its name (binutils' ``<table too small>``, ``<p unknown>``) is read as written, not as
HTML (:data:`clustering.html_text._TAG`), where it lost those words or was refused as
empty. 35 (stop 82): without k, a table of more than 10,000 rows has its k estimated in UMAPs
of 5,000 sampled rows, not of all rows (:mod:`clustering.auto_k`). 36 (stop 83): without k,
a learned view of more than 10,000 rows (signals, images) has its k read in the neighbour
graph of 5,000 sampled points of its UMAP (:func:`clustering.neighbour_kappa.plateau_k`);
the spectral candidate of 10,001-20,000 rows is solved by LOBPCG, not shift-invert ARPACK
(:data:`clustering.spectral_graph.SPECTRAL_EXACT_UP_TO`). 37 (stop 84): without k, a signal view of
more than 10,000 rows has its k read in the view itself, not in its UMAP
(:data:`clustering.auto_k.K_IN_VIEW`). 38 (stop 85): a table of counts has its rows' read
depth regressed out of each log-normalised column, and each column scaled, before its
principal components (:func:`clustering.count_tables.depth_regressed`). 39 (stop 86):
``auto`` also draws a Gaussian mixture in the UMAP for a table of counts
(:data:`clustering.auto_candidates.GMM_MODALITIES`). 40 (stop 87): ``auto`` also draws
k-means on a table of counts' standardised components and judges its candidates in their
graph as well (:data:`clustering.auto_candidates.STANDARDISED_MODALITIES`)."""

K_ESTIMATE_VERSION = 2
"""Part of the content key of a run that estimates k (``clusters`` not given) besides
:data:`PIPELINE_VERSION`: bump it when a change alters only how k is estimated, so that runs
with k given, the shipped demo's among them, stay reusable (1: before it existed). 2 (stop
91): every estimate looks past 15 where it lands on 15 (:data:`clustering.kselect.K_MORE`)."""
