"""Read an iclsweep results.nc, draw the figures and summarise what it shows.

Run as ``python3 -m analysis {plot,summary} RESULTS.nc``; see ``__main__``.
"""
