"""Wagtail loads this from every installed app: registers ``smartfill-WxH`` (see ``wagtail``)."""

from wagtail import hooks

from .wagtail import register_image_operations

hooks.register("register_image_operations", register_image_operations)
