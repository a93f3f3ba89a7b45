"""Thumbor 7.8 adapter for smartcrop: a saliency detector and exact-crop filters.

Add to thumbor.conf::

    DETECTORS = ["thumbor_plugin.detector"]
    FILTERS = BUILTIN_FILTERS + ["thumbor_plugin.filters.smartcrop", "thumbor_plugin.filters.smartcrop_debug"]

Every module here is thin: the saliency model, the crop geometry and the error types all live in
``smartcrop_core``; this package only translates between Thumbor's request pipeline and the core.
"""

__all__: list[str] = []
