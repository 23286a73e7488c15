"""Virtual meters: named signed sums of a site's devices and other virtual meters.

A virtual meter ("Building B = Incomer - Building A - Chillers") is computed from the
devices' rollups at query time, never copied. The package holds its tables, its CRUD
(``/api/sites/{site_id}/virtual-meters``, ``/api/virtual-meters/{id}``) and its readings
(energy, series, summary from ``measurements``; the bill and bill CSV under the site's tariff,
from ``billing`` and ``tariffs``). The formula maths (expansion into device coefficients,
cycles, the formula's text) is the pure module ``formula``.
"""
