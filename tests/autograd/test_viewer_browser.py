"""The step-by-step viewer in headless Chromium: opened as a local file, stepped by button and key.

Uses Debian's chromium and chromium-driver (``make browser-test`` installs them and Selenium);
Selenium is never allowed to fetch a driver of its own. Selenium is imported only when a test
runs, so the default test run collects this file without needing it.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from autograd import Value, render_steps

if TYPE_CHECKING:
    from selenium.webdriver.chrome.webdriver import WebDriver
    from selenium.webdriver.remote.webelement import WebElement

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


class Viewer:
    """The viewer page in a browser, driven the way a person would."""

    def __init__(self, driver: WebDriver, index: Path) -> None:
        self.driver = driver
        self.index = index
        self.count = len(list(index.parent.glob("step-*.svg")))

    def open(self) -> None:
        self.driver.get(self.index.as_uri())
        self.wait_loaded()

    def element(self, element_id: str) -> WebElement:
        from selenium.webdriver.common.by import By

        return self.driver.find_element(By.ID, element_id)

    def click(self, button: str) -> None:
        self.element(button).click()

    def enabled(self, button: str) -> bool:
        return bool(self.element(button).is_enabled())

    def press(self, key: str, times: int = 1) -> None:
        from selenium.webdriver.common.by import By
        from selenium.webdriver.common.keys import Keys

        body = self.driver.find_element(By.TAG_NAME, "body")
        for _ in range(times):
            body.send_keys(getattr(Keys, key))

    def state(self) -> tuple[str, str, str]:
        """The frame shown (its file name), the caption and the counter."""
        src = self.element("frame").get_attribute("src") or ""
        caption = self.element("caption").text
        counter = self.element("counter").text
        return src.rsplit("/", 1)[-1], caption, counter

    def loaded(self) -> bool:
        """Whether the frame image has loaded from its local file and has a size."""
        return bool(
            self.driver.execute_script(
                "const img = document.getElementById('frame');"
                "return img.complete && img.naturalWidth > 0;"
            )
        )

    def wait_loaded(self) -> None:
        from selenium.webdriver.support.ui import WebDriverWait

        WebDriverWait(self.driver, 10).until(lambda _: self.loaded())

    def errors(self) -> list[object]:
        """Severe entries of the browser's console log (failed loads, script errors)."""
        return [e for e in self.driver.get_log("browser") if e.get("level") == "SEVERE"]


@pytest.fixture(scope="module")
def driver(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WebDriver]:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}")
    # An explicit driver path: Selenium Manager never runs, so nothing is downloaded.
    chrome = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)
    try:
        yield chrome
    finally:
        chrome.quit()


@pytest.fixture
def viewer(driver: WebDriver, tmp_path_factory: pytest.TempPathFactory) -> Viewer:
    """The viewer for tanh(w x + b) * x, freshly opened at its first frame."""
    x, w, b = Value(2.0, "x"), Value(-3.0, "w"), Value(1.0, "b")
    index = render_steps((x * w + b).tanh() * x, tmp_path_factory.mktemp("viewer"))
    page = Viewer(driver, index)
    page.open()
    return page


def test_next_shows_the_next_frame(viewer: Viewer) -> None:
    first = viewer.state()
    assert first[0] == "step-000.svg"
    assert first[2] == f"Step 0 of {viewer.count - 1}"
    assert not viewer.enabled("previous")

    viewer.click("next")
    viewer.wait_loaded()
    second = viewer.state()
    assert second[0] == "step-001.svg"
    assert second[1] != first[1] and second[1].startswith("At the output")
    assert second[2] == f"Step 1 of {viewer.count - 1}"
    assert viewer.enabled("previous")


def test_arrow_keys_step_forwards_and_back(viewer: Viewer) -> None:
    viewer.press("ARROW_RIGHT", times=2)
    viewer.wait_loaded()
    assert viewer.state()[0] == "step-002.svg"
    viewer.press("ARROW_LEFT")
    assert viewer.state()[0] == "step-001.svg"


def test_stepping_stops_at_both_ends(viewer: Viewer) -> None:
    viewer.press("ARROW_LEFT")
    assert viewer.state()[0] == "step-000.svg"
    viewer.press("ARROW_RIGHT", times=viewer.count + 2)
    viewer.wait_loaded()
    last = viewer.state()
    assert last[0] == f"step-{viewer.count - 1:03d}.svg"
    assert last[2] == f"Step {viewer.count - 1} of {viewer.count - 1}"
    assert not viewer.enabled("next")
    viewer.click("previous")
    assert viewer.state()[0] == f"step-{viewer.count - 2:03d}.svg"


def test_every_frame_loads_from_the_local_folder(viewer: Viewer) -> None:
    seen = set()
    for _ in range(viewer.count):
        viewer.wait_loaded()
        seen.add(viewer.state()[0])
        viewer.press("ARROW_RIGHT")
    assert seen == {p.name for p in viewer.index.parent.glob("step-*.svg")}
    assert viewer.errors() == []
