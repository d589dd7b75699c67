"""Kibana case-configuration API simulator (stdlib only). See server.py, state.py, validation.py."""
