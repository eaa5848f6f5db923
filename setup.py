"""Packaging only what pyproject.toml cannot say: the top-level ``templates/`` folder
(the admin's pages and the shipped SMS texts) travels inside the wheel as
``sms_gateway/templates``, so an installed gateway finds them without a checkout.
Everything else is in pyproject.toml.
"""

from setuptools import find_packages, setup

setup(
    packages=[*find_packages(include=["sms_gateway", "sms_gateway.*"]), "sms_gateway.templates"],
    package_dir={"sms_gateway.templates": "templates"},
    package_data={
        "sms_gateway": ["py.typed", "static/sms_gateway/*"],
        "sms_gateway.templates": ["**/*"],
    },
)
