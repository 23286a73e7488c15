"""Gateways over MQTT: the bridge, the field map, gateway health and pending gateways.

Requests: ``router`` → ``service`` → ``repository`` (URLs ``/api/gateways/...`` and
``/api/devices/{id}/health``; the front end's ``gateways`` feature, shown on the Sites pages).
The bridge (``bridge``) runs in stages: ``election``, ``client``, ``routing``, ``batching``,
``writer``; the rules they follow are pure functions in ``decisions``.
"""
