"""Run the ``tlc`` command from a checkout: ``python cli.py analyse plate.jpg``."""

from tlc.cli import main

main()
