"""Screening: every party of a bundle (or of a CSV of names) against the sanctions lists.

``names`` prepares and scores names, ``ofac_scale`` gives the OFAC-tool figure, ``index``
builds the list index and the matches in SQL, ``parties`` says who in a bundle is screened,
``batch`` is the stand-alone ``unmask screen`` command.
"""
