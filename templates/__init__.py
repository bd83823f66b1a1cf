"""xlperf data: taxonomy, label aliases, list values and sheet layouts (TOML).

Installed as the ``xlperf.templates`` package; read with :func:`xlperf.taxonomy.load_data`.
"""
