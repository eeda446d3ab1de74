"""The project page's kitchen remodel (a project, its signed contract and a ledger), for the closes' tests too."""

from tests.projects.test_project_page import contract, kitchen, ledger  # noqa: F401 - fixtures
