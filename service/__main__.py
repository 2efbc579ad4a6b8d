"""`python -m service …` runs the `zhifa` command (the timer supervisor starts workers this way)."""

from .cli import main

main()
