"""Pure domain core: no Flask, no database."""
