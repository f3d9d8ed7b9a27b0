"""Stage 4, pack: files, manifest and zip, the calendar, scheduler exports and the gallery."""

#: Zip cannot store times before 1980 (the reproducible-builds spec clamps to it)...
ZIP_EPOCH = 315532800
#: ... nor after 2107 (its year field counts 7 bits from 1980).
ZIP_LAST = 4354819199
