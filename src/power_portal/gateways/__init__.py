"""Gateways over MQTT: the bridge, the field map, gateway health and pending gateways."""
