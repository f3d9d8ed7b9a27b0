"""Stage 4, pack: files, manifest and zip, the calendar, scheduler exports and the gallery."""
