"""Training pipeline for the smartcrop saliency model (dev-only; needs the ``train`` extra)."""
