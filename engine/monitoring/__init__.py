"""Monitoring for the region (003 ch. 7, 001 §5.2): figures without persons, lead times, bottlenecks.

``figures`` keeps one row of categories and durations per case in the step's transaction;
``dashboard`` aggregates them in SQL; ``suppression`` makes sure no small count can be read or
computed back from what is published; ``reports`` turns the same figures into the yearly report
and the CoMensha export.
"""
