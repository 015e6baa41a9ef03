"""Writers: each renders one immutable Plan (and a Theme) into the bytes of one file format."""
