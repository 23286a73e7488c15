"""The demo: ``portal demo`` (a demo site with a simulated history) and ``portal demo --live``.

``--live`` keeps one demo meter reporting through a simulated Acuvim II and the real collector.
"""
