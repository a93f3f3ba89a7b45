"""Thumbor filters of the plugin, one module each (Thumbor loads ``<module>.Filter``)."""
