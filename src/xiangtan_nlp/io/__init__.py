"""Reading corpora and writing records."""
