"""The explorer page in headless Chromium: stepping, explaining, choosing the output, the keyboard.

Uses Debian's chromium and chromium-driver, as the step viewer's browser tests do (``make
browser-test``); Selenium is imported only when a test runs.
"""

from __future__ import annotations

import io
import math
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from autograd import Value, explore, grad, topological_order
from autograd.explore import local_derivatives
from autograd.rules import RULES
from nn import MLP
from tests.autograd import test_viewer_browser as viewer_tests
from tests.autograd.expressions import N_VARS, Tree, trees, variable_values
from tests.autograd.test_explore import finite_graph

if TYPE_CHECKING:
    from selenium.webdriver.chrome.webdriver import WebDriver
    from selenium.webdriver.remote.webelement import WebElement

pytestmark = pytest.mark.browser

driver = viewer_tests.driver  # one Chromium for this module too (a pytest fixture)

NUMBER = r"-?(?:\d+\.?\d*(?:e[+-]\d+)?|nan|inf)"


def example() -> tuple[Value, Value, Value, Value, Value]:
    """y = tanh(x w + b) x: x has two consumers, so its grad is a sum of two terms."""
    x, w, b = Value(2.0, "x"), Value(-3.0, "w"), Value(1.0, "b")
    n = x * w + b
    n.label = "n"
    y = (0.5 * n).tanh() * x
    y.label = "y"
    return y, n, x, w, b


class Page:
    """The explorer page in a browser, driven by mouse, keyboard and window.explorer."""

    def __init__(self, driver: WebDriver, path: Path) -> None:
        self.driver = driver
        self.path = path
        driver.set_window_size(1400, 900)
        driver.get(path.as_uri())
        driver.get_log("browser")  # start each page with an empty log

    def js(self, script: str, *args: object) -> Any:
        return self.driver.execute_script(script, *args)

    def api(self, call: str, *args: object) -> Any:
        return self.js(f"return window.explorer.{call};", *args)

    def element(self, element_id: str) -> WebElement:
        from selenium.webdriver.common.by import By

        return self.driver.find_element(By.ID, element_id)

    def node(self, i: int, view: str = "detail") -> WebElement:
        from selenium.webdriver.common.by import By

        selector = f'.view[data-view="{view}"] g[data-node="{i}"][data-kind="value"]'
        return self.driver.find_element(By.CSS_SELECTOR, selector)

    def grad_text(self, i: int, view: str = "detail") -> str:
        return str(
            self.js(
                "return document.querySelector(arguments[0]).textContent;",
                f'.view[data-view="{view}"] g[data-node="{i}"][data-kind="value"] text.grad',
            )
        )

    def press(self, *keys: str) -> None:
        from selenium.webdriver.common.action_chains import ActionChains
        from selenium.webdriver.common.keys import Keys

        actions = ActionChains(self.driver)
        for key in keys:
            actions.send_keys(getattr(Keys, key) if key.isupper() else key)
        actions.perform()

    def counter(self) -> str:
        return str(self.element("counter").text)

    def errors(self) -> list[object]:
        return [e for e in self.driver.get_log("browser") if e.get("level") == "SEVERE"]


@pytest.fixture
def graph(tmp_path: Path) -> tuple[Value, Value, Value, Value, Value, Path]:
    y, n, x, w, b = example()
    path = explore(y, tmp_path / "explorer.html")
    assert isinstance(path, Path)
    return y, n, x, w, b, path


@pytest.fixture
def page(driver: WebDriver, graph: tuple[Value, ...]) -> Page:
    path = graph[-1]
    assert isinstance(path, Path)
    return Page(driver, path)


def numbers(text: str) -> list[float]:
    return [float(t) for t in re.findall(NUMBER, text)]


# --- stepping --------------------------------------------------------------------------------


def test_forward_steps_show_each_node_after_its_operands(page: Page) -> None:
    order = topological_order(example()[0])
    assert page.api("steps('forward')") == len(order)
    assert page.api("mode()") == "forward"
    assert page.counter() == f"Forward step 0 of {len(order) - 1}"
    current = (
        "return Number(document.querySelector('.view g.is-current[data-kind=value]').dataset.node)"
    )
    pending = "return document.querySelectorAll('.view g.is-pending[data-kind=value]').length"
    shown: list[int] = []
    for s in range(len(order)):
        i = page.js(current)
        assert all(order.index(p) in shown for p in order[i].parents)  # its operands came first
        shown.append(i)
        caption = page.api("caption()")
        assert f"{order[i].data:.4g}" in [f"{v:.4g}" for v in numbers(caption)], caption
        assert page.js(pending) == len(order) - 1 - s
        page.element("next").click()
    assert sorted(shown) == list(range(len(order))) and shown[-1] == len(order) - 1
    assert page.counter() == f"Forward step {len(order) - 1} of {len(order) - 1}"
    assert not page.element("next").is_enabled()
    page.element("previous").click()
    assert page.counter() == f"Forward step {len(order) - 2} of {len(order) - 1}"
    assert page.errors() == []


def test_a_node_shows_its_data_only_once_the_forward_pass_has_computed_it(
    driver: WebDriver, tmp_path: Path
) -> None:
    x = Value(math.inf, "x")
    y = (x * 0.0 + 1.0) * Value(2.0, "w")  # inf * 0 is nan: a red number, as its own text
    y.label = "y"
    path = explore(y, tmp_path / "data.html")
    assert isinstance(path, Path)
    page = Page(driver, path)
    order = topological_order(y)
    shown = """return [...document.querySelectorAll('.view g[data-kind=value]')].map(g =>
        [Number(g.dataset.node), g.classList.contains('is-pending'),
          [...g.querySelectorAll('text.data')]
          .filter(t => getComputedStyle(t).visibility !== 'hidden')
          .map(t => t.textContent).join('')]);"""
    for k in range(page.api("steps('forward')")):
        page.api(f"step({k})")
        cells = page.js(shown)
        assert sum(1 for _, pending, _ in cells if not pending) == k + 1
        for i, pending, text in cells:
            assert text == ("data ?" if pending else f"data {order[i].data:.4g}"), (k, i)
    page.api("setMode('backward')")
    assert all(text == f"data {order[i].data:.4g}" for i, _, text in page.js(shown))
    assert page.errors() == []


def test_backward_steps_send_grad_times_local_derivative_along_each_edge(
    page: Page, graph: tuple[Value, ...]
) -> None:
    y = graph[0]
    order = topological_order(y)
    interior = [i for i in reversed(range(len(order))) if order[i].parents]
    page.element("mode-backward").click()
    assert page.api("steps('backward')") == 1 + len(interior)
    assert page.grad_text(len(order) - 1) == "grad 1"
    assert all(page.grad_text(i) == "grad ?" for i in range(len(order) - 1))
    y.backward()  # the reference: the engine's own sweep
    grads: dict[int, float] = {len(order) - 1: 1.0}
    for s, i in enumerate(interior, start=1):
        page.element("next").click()
        node = order[i]
        shares = [grads[i] * d for d in local_derivatives(node)]
        badges = page.js(
            "return [...document.querySelectorAll('.badge text')].map(t => t.textContent)"
        )
        assert badges == [
            f"{grads[i]:.4g} × {d:.4g} = {share:.4g}"
            for d, share in zip(local_derivatives(node), shares, strict=True)
        ]
        for p, share in zip(node.parents, shares, strict=True):
            grads[order.index(p)] = grads.get(order.index(p), 0.0) + share
        assert page.counter().startswith(f"Backward step {s} of")
    for i, node in enumerate(order):
        assert page.grad_text(i) == f"grad {node.grad:.4g}"
        assert grads[i] == pytest.approx(node.grad, rel=1e-12)
    assert page.errors() == []


def test_the_current_node_is_outlined_and_its_cells_keep_their_thin_rules(page: Page) -> None:
    current = ".view g.is-current[data-kind=value]"
    widths = page.js(
        "return [...document.querySelector(arguments[0]).children]"
        ".filter(el => el.tagName === 'polygon')"
        ".map(el => [el.classList.contains('rule'), getComputedStyle(el).strokeWidth])",
        current,
    )
    assert [width for rule, width in widths if not rule] == ["3px"]  # the outline
    assert [width for rule, width in widths if rule] == ["1px", "1px"]  # name | data | grad


def test_a_sum_still_building_is_shown_as_such(page: Page) -> None:
    """x's grad has two terms: after the first arrives, its cell shows the partial sum."""
    y, n, x, *_ = example()
    i = topological_order(y).index(x)
    partial = "return document.querySelector(arguments[0]).classList.contains('partial')"
    cell = f'.view g[data-node="{i}"][data-kind="value"] text.grad'
    page.api("setMode('backward')")
    page.api("step(1)")  # y = t * x sends t to x: the first of x's two terms
    assert page.js(partial, cell)
    assert page.grad_text(i) == f"grad {math.tanh(0.5 * n.data):.4g}"
    page.press("END")
    assert not page.js(partial, cell)


# --- explain ---------------------------------------------------------------------------------


def test_explain_gives_the_chain_rule_sum_with_its_numbers(page: Page) -> None:
    y, _, x, w, _ = example()
    order = topological_order(y)
    (dx,) = grad(y, [x])
    text = page.api("explain('x')")
    lines = text.splitlines()
    assert lines[0].startswith("∂y/∂x = Σ over the consumers c of x") and "(2 terms)" in lines[0]
    # One term per consumer: x * w (upstream grad times w) and y = t * x (upstream 1 times t).
    xw = next(node for node in order if node.op == "*" and node.parents == (x, w))
    (d_xw,) = grad(y, [xw])
    t = y.parents[0]
    expected_terms = [(d_xw, w.data, d_xw * w.data), (1.0, t.data, t.data)]
    products = [numbers(line.split("=", 1)[1]) for line in lines if line.startswith("    ∂y/∂c")]
    assert len(products) == 2
    for shown, term in zip(products, expected_terms, strict=True):
        assert shown == pytest.approx(list(term), rel=5e-4)
    # The rule table's formula for *, "b, a", with its operands written p and q: b is a node.
    assert RULES["*"].formula == "b, a"
    assert "∂(p * q)/∂p = q, with p = x, q = w" in text
    assert "∂(p * q)/∂q = p, with p = [tanh node, data " in text
    assert numbers(lines[-1])[-1] == pytest.approx(dx, rel=5e-4)
    # At least four significant digits everywhere: 1 is written 1.000.
    assert "1.000 ×" in text
    # The same text, whatever the mode and step; and on hover, in the panel.
    page.api("setMode('backward')")
    page.api("step(1)")
    assert page.api("explain('x')") == text
    from selenium.webdriver.common.action_chains import ActionChains

    ActionChains(page.driver).move_to_element(page.node(order.index(x))).perform()
    assert page.element("explain-text").text.startswith(text.splitlines()[0])
    assert numbers(page.element("explain-title").text)[-1] == pytest.approx(dx, rel=5e-4)
    assert page.errors() == []


def micrograd_example() -> Value:
    """micrograd's first example: L = (a b + c) f, every node named with a single letter."""
    a, b, c, f = Value(2.0, "a"), Value(-3.0, "b"), Value(10.0, "c"), Value(-2.0, "f")
    e = a * b
    e.label = "e"
    d = e + c
    d.label = "d"
    loss = d * f
    loss.label = "L"
    return loss


def test_explain_keeps_its_letters_apart_from_the_nodes_names(
    driver: WebDriver, tmp_path: Path
) -> None:
    """Nodes named a, b, c and L: the formula's letters and the consumer's letter change so that
    no letter means two things, and the output's own name is not explained as "where L is L"."""
    path = explore(micrograd_example(), tmp_path / "micrograd.html")
    assert isinstance(path, Path)
    page = Page(driver, path)
    assert page.api("explain('c')").splitlines() == [
        "∂L/∂c = Σ over the consumers k of c: ∂L/∂k · ∂k/∂c (1 term)",
        "  k = d = e + c: ∂(p + q)/∂q = 1, with p = e, q = c",
        "    ∂L/∂k · ∂k/∂c = -2.000 × 1.000 = -2.000",
        "∂L/∂c = -2.000",
    ]
    assert page.api("explain('a')").splitlines() == [
        "∂L/∂a = Σ over the consumers k of a: ∂L/∂k · ∂k/∂a (1 term)",
        "  k = e = a * b: ∂(p * q)/∂p = q, with p = a, q = b",
        "    ∂L/∂k · ∂k/∂a = -2.000 × -3.000 = 6.000",
        "∂L/∂a = 6.000",
    ]
    assert page.api("explain('L')").splitlines()[0] == "∂L/∂L = 1"
    for label in "abcdefL":
        assert "where" not in page.api("explain(arguments[0])", label)
    assert page.errors() == []


def test_an_output_named_by_its_expression_is_bracketed(driver: WebDriver, tmp_path: Path) -> None:
    """The command names the output by its expression: ∂(x*y + x)/∂x, not ∂x*y + x/∂x."""
    x, y = Value(2.0, "x"), Value(3.0, "y")
    out = x * y + x
    out.label = "x*y + x"
    path = explore(out, tmp_path / "expression.html")
    assert isinstance(path, Path)
    page = Page(driver, path)
    text = page.api("explain('x')")
    assert text.splitlines()[0].startswith("∂(x*y + x)/∂x = Σ over the consumers c of x")
    assert text.splitlines()[-1] == "∂(x*y + x)/∂x = 3.000 + 1.000 = 4.000"
    assert "x*y + x = x * y + x" not in text  # the recipe is not written out twice
    # No node is named a or b: the rule table's formula as it is written there.
    assert "  c = x * y: ∂(a * b)/∂a = b, with a = x, b = y" in text.splitlines()
    page.node(0).click()
    assert page.element("explain-title").text == "∂(x*y + x)/∂x = 4.000"
    assert page.errors() == []


def test_negative_terms_of_a_sum_are_bracketed(driver: WebDriver, tmp_path: Path) -> None:
    x = Value(2.0, "x")
    y = x * 3.0 - x * 5.0
    y.label = "y"
    path = explore(y, tmp_path / "negative.html")
    assert isinstance(path, Path)
    page = Page(driver, path)
    assert page.api("explain('x')").splitlines()[-1] == "∂y/∂x = 3.000 + (-5.000) = -2.000"
    page.api("setMode('backward')")
    captions = []
    for k in range(page.api("steps('backward')")):
        page.api(f"step({k})")
        captions.append(page.api("caption()"))
    assert any("+ (-5.000) = " in caption for caption in captions), captions
    assert not any("+ -" in caption for caption in captions), captions
    assert page.errors() == []


def test_explaining_a_node_highlights_its_paths_to_the_output(page: Page) -> None:
    y, n, _, _, b = example()
    order = topological_order(y)
    page.node(order.index(b)).click()
    on_path = page.js(
        "return [...document.querySelectorAll('.view g.is-path[data-kind=value]')]"
        ".map(g => Number(g.dataset.node))"
    )
    # b itself, then n, 0.5 * n, tanh and y: exactly the nodes from b to the output.
    half = y.parents[0].parents[0]
    assert sorted(on_path) == sorted(order.index(v) for v in (b, n, half, y.parents[0], y))
    assert page.api("explain('b')").splitlines()[-1].startswith("∂y/∂b = ")


# --- choosing the output ---------------------------------------------------------------------


def test_any_node_can_be_made_the_output(page: Page) -> None:
    y, n, x, w, b = example()
    order = topological_order(y)
    page.node(order.index(n)).click()
    button = page.element("make-output")
    assert button.text == "Make n the output"
    button.click()
    assert page.element("output-name").text.startswith("n = ")
    for leaf, expected in zip((x, w, b), grad(n, [x, w, b]), strict=True):
        assert page.api("grad(arguments[0])", leaf.label) == pytest.approx(expected, rel=1e-12)
    assert page.api("explain('x')").splitlines()[-1] == f"∂n/∂x = {w.data:.3f}"
    assert "n does not depend on y" in page.api("explain('y')")
    page.api("setMode('backward')")
    assert page.api("steps('backward')") == 1 + sum(1 for v in topological_order(n) if v.parents)
    page.element("reset-output").click()
    assert page.api("grad('x')") == pytest.approx(grad(y, [x])[0], rel=1e-12)
    assert page.errors() == []


# --- keyboard and labels ---------------------------------------------------------------------


def test_keys_step_play_and_switch_modes(page: Page) -> None:
    page.press("ARROW_RIGHT", "ARROW_RIGHT")
    assert page.api("current()") == 2
    page.press("ARROW_LEFT")
    assert page.api("current()") == 1
    page.press("END")
    assert page.api("current()") == page.api("steps('forward')") - 1
    page.press("HOME")
    assert page.api("current()") == 0
    page.press("b")
    assert page.api("mode()") == "backward"
    page.press("p")
    assert page.element("play").get_attribute("aria-pressed") == "true"
    page.press("p")
    assert page.element("play").get_attribute("aria-pressed") == "false"
    page.press("f")
    assert page.api("mode()") == "forward"
    # The slider moves with the arrow keys when it has the focus, and the step follows it.
    page.element("slider").click()
    page.api("step(0)")
    page.element("slider").send_keys("\ue014")  # the right arrow key
    assert page.api("current()") == 1
    assert page.errors() == []


def test_every_control_is_reached_by_tab_and_has_a_label(page: Page) -> None:
    order = topological_order(example()[0])
    page.api("step(1)")  # so that Previous is enabled
    seen: list[dict[str, Any]] = []
    page.js("document.activeElement && document.activeElement.blur(); window.scrollTo(0, 0);")
    for _ in range(60):
        page.press("TAB")
        focused = page.js(
            """const el = document.activeElement;
            const label = el.labels && el.labels.length ? el.labels[0].textContent : '';
            const name = el.getAttribute('aria-label') || label || el.textContent || '';
            return {id: el.id, node: el.dataset ? el.dataset.node : null, name: name.trim()};"""
        )
        if seen and focused == seen[0]:
            break
        seen.append(focused)
    ids = {f["id"] for f in seen}
    assert {
        "mode-forward",
        "previous",
        "play",
        "next",
        "slider",
        "zoom-out",
        "zoom-fit",
        "zoom-in",
    } <= ids
    nodes = {int(f["node"]) for f in seen if f["node"] is not None}
    assert nodes == set(range(len(order)))  # every Value in the drawing
    assert all(f["name"] for f in seen), [f for f in seen if not f["name"]]
    # Enter on a focused node explains it, and the button then makes it the output.
    x = example()[2]
    page.node(next(i for i, v in enumerate(order) if v.label == x.label)).send_keys("\ue007")
    assert page.element("explain-title").text.startswith("∂y/∂x")
    assert page.errors() == []


# --- hostile labels, large graphs, the picture ------------------------------------------------


def test_hostile_labels_stay_text(driver: WebDriver, tmp_path: Path) -> None:
    labels = [
        "</script><script>window.pwned = 1</script>",
        '<img src=x onerror="window.pwned = 2">',
        '</svg><svg onload="window.pwned = 3">',
    ]
    a, b, c = (Value(float(k + 1), label) for k, label in enumerate(labels))
    root = a * b + c
    path = explore(root, tmp_path / "hostile.html")
    assert isinstance(path, Path)
    page = Page(driver, path)
    assert page.js("return window.pwned === undefined && document.images.length === 0")
    shown = page.js(
        "return [...document.querySelectorAll('.view svg text')].map(t => t.textContent)"
    )
    assert all(label in shown for label in labels)
    assert labels[0] in page.api("explain(arguments[0])", labels[1])
    assert page.errors() == []


def mlp_page(tmp_path: Path) -> tuple[list[Value], Path]:
    model = MLP(2, [4, 4, 1], seed=0)
    y = model([0.5, -1.0])
    assert isinstance(y, Value)
    y.label = "y"
    path = explore(y, tmp_path / "mlp.html")
    assert isinstance(path, Path)
    y.backward()
    return topological_order(y), path


FIRST_BOX = ".view[data-view=overview] g[data-box][data-kind=value]"
IN_WINDOW = """const box = arguments[0].getBoundingClientRect();
    return box.top >= 0 && box.left >= 0 && box.bottom <= innerHeight && box.right <= innerWidth;"""


@pytest.fixture
def mlp(driver: WebDriver, tmp_path: Path) -> tuple[list[Value], Page]:
    """The page of MLP(2, [4, 4, 1]) on one sample, as it opens: on the overview."""
    order, path = mlp_page(tmp_path)
    page = Page(driver, path)
    assert page.api("view()") == "overview"
    return order, page


def test_an_mlp_opens_on_its_neurons_and_a_click_opens_one_among_the_others(
    mlp: tuple[list[Value], Page],
) -> None:
    order, page = mlp
    boxes = page.js("return document.querySelectorAll(arguments[0]).length", FIRST_BOX)
    assert boxes == 9
    page.api("setMode('backward')")
    page.press("END")
    # Each box shows its neuron's output grad, as the sweep left it.
    box = page.js("return Number(document.querySelector(arguments[0]).dataset.node)", FIRST_BOX)
    assert page.grad_text(box, "overview") == f"grad {order[box].grad:.4g}"
    scope = order[box].scope
    page.js(
        "document.querySelector(arguments[0]).dispatchEvent(new MouseEvent('click'))", FIRST_BOX
    )
    # Its own drawing: the neuron's every Value, the other eight neurons still boxes.
    assert page.api("view()") == f"neuron {scope}"
    shown = ".view[data-view=open]:not([hidden])"
    members = [i for i, node in enumerate(order) if node.scope == scope]
    drawn = page.js(
        "return [...document.querySelectorAll(arguments[0] + ' g[data-kind=value]')]"
        ".filter(g => !g.dataset.box).map(g => Number(g.dataset.node))",
        shown,
    )
    assert set(members) <= set(drawn)
    others = page.js(
        "return new Set([...document.querySelectorAll(arguments[0] + ' g[data-box]')]"
        ".map(g => g.dataset.box)).size",
        shown,
    )
    assert others == 8
    output = page.js(
        "return document.querySelector(arguments[0] + ' g[data-node=\"' + arguments[1] + "
        "'\"][data-kind=value]')",
        shown,
        box,
    )
    assert page.js(IN_WINDOW, output)  # scrolled to, not left below the fold
    assert page.js("return document.activeElement === arguments[0]", output)
    assert page.js("return arguments[0].querySelector('text.grad').textContent", output) == (
        f"grad {order[box].grad:.4g}"
    )
    page.element("toggle-clusters").click()
    assert page.api("view()") == "overview"
    page.element("toggle-clusters").click()
    assert page.api("view()") == "detail"
    for i, node in enumerate(order):
        assert page.api("grad(arguments[0])", i) == pytest.approx(node.grad, rel=1e-9, abs=1e-15)
    assert page.errors() == []


def test_the_box_of_the_neuron_being_computed_is_not_faded(mlp: tuple[list[Value], Page]) -> None:
    """Forward step 0 computes a node inside a neuron: its box is lit, not faded as pending."""
    _, page = mlp
    lit = page.js(
        "const g = document.querySelector('.view[data-view=overview] g.is-current[data-box]');"
        "return g && [g.classList.contains('is-pending'), getComputedStyle(g).opacity]"
    )
    assert lit == [False, "1"]
    assert page.errors() == []


def test_without_a_drawing_of_its_own_a_neuron_opens_in_the_full_drawing(
    driver: WebDriver, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Over OPEN_VIEWS_UP_TO neurons: the detail view, with the other neurons covered."""
    import importlib

    # autograd.explore is also the function's name: the module, by its full name.
    monkeypatch.setattr(importlib.import_module("autograd.explore"), "OPEN_VIEWS_UP_TO", 0)
    order, path = mlp_page(tmp_path)
    page = Page(driver, path)
    assert page.js("return document.querySelectorAll('.view[data-view=open]').length") == 0
    page.api("setMode('backward')")
    page.press("END")
    box = page.js("return Number(document.querySelector(arguments[0]).dataset.node)", FIRST_BOX)
    page.js(
        "document.querySelector(arguments[0]).dispatchEvent(new MouseEvent('click'))", FIRST_BOX
    )
    assert page.api("view()") == "detail"
    covers = page.js(
        "return document.querySelectorAll('.view[data-view=detail] g.collapsed').length"
    )
    assert covers == 8  # the other neurons stay collapsed
    assert page.grad_text(box) == f"grad {order[box].grad:.4g}"
    assert page.js(IN_WINDOW, page.node(box))
    page.element("toggle-clusters").click()
    assert page.api("view()") == "overview"
    assert page.errors() == []


def test_a_wide_drawing_opens_readable_and_zooms(mlp: tuple[list[Value], Page]) -> None:
    """The whole MLP is far wider than the window: it opens at a size whose text can be read
    (the graph scrolls), and the zoom buttons change its size."""
    _, page = mlp
    page.element("toggle-clusters").click()
    assert page.api("view()") == "detail"
    svg = ".view[data-view=detail] svg"
    width = "return document.querySelector(arguments[0]).getBoundingClientRect().width"
    text = (
        "return document.querySelector(arguments[0] + ' text.grad').getBoundingClientRect().height"
    )
    assert page.js(width, svg) > page.js("return document.getElementById('graph').clientWidth")
    assert page.js(text, svg) >= 8  # 11-point text at 60% at least
    before = page.js(width, svg)
    page.element("zoom-in").click()
    assert page.js(width, svg) == pytest.approx(1.25 * before, rel=0.01)
    page.element("zoom-out").click()
    page.element("zoom-out").click()
    assert page.js(width, svg) == pytest.approx(before / 1.25, rel=0.01)
    assert page.errors() == []


OVERLAPS = """const view = document.querySelector('.view:not([hidden])');
    const box = (el) => el.getBBox();
    const badges = [...view.querySelectorAll('.badge rect')].map(box);
    const texts = [...view.querySelectorAll('g[data-node] text')].map(box);
    const drawing = box(view.querySelector('g.graph > polygon'));
    const meet = (a, b) => a.x < b.x + b.width - 0.5 && b.x < a.x + a.width - 0.5 &&
      a.y < b.y + b.height - 0.5 && b.y < a.y + a.height - 0.5;
    const found = [];
    badges.forEach((a, k) => {
      badges.slice(k + 1).forEach((b) => meet(a, b) && found.push('two badges'));
      texts.forEach((t) => meet(a, t) && found.push('a badge on a number or a name'));
      const inside = a.x >= drawing.x && a.y >= drawing.y &&
        a.x + a.width <= drawing.x + drawing.width && a.y + a.height <= drawing.y + drawing.height;
      if (!inside) found.push('a badge outside the drawing');
    });
    return [badges.length, found];"""


@pytest.mark.parametrize("which", ["example", "neuron", "tangents"])
def test_the_badges_cover_no_node_and_no_other_badge(
    driver: WebDriver, tmp_path: Path, which: str
) -> None:
    """What travels along the edges is written where it can be read: at each step of either
    sweep, no badge hides a node's text or another badge, or lies outside the drawing (the
    demo's neuron has edges shorter than a badge)."""
    if which == "neuron":
        root = MLP(2, [1], seed=0)([0.5, -1.0])
        assert isinstance(root, Value)
        root.label = "out"
        path = explore(root, tmp_path / "neuron.html")
        modes = ["backward"]
    else:
        y, _, x, w, _ = example()
        tangents = {x: 1.0, w: 0.5} if which == "tangents" else None
        path = explore(y, tmp_path / "example.html", tangents=tangents)
        modes = ["forward"] if tangents else ["backward"]
    assert isinstance(path, Path)
    page = Page(driver, path)
    for mode in modes:
        page.api(f"setMode('{mode}')")
        drawn = 0
        for k in range(1, page.api(f"steps('{mode}')")):
            page.api(f"step({k})")
            count, found = page.js(OVERLAPS)
            assert found == [], (mode, k, found)
            drawn += count
        assert drawn > 0
    assert page.errors() == []


def test_the_screenshot_shows_the_drawn_graph(page: Page) -> None:
    import numpy as np
    from matplotlib.image import imread

    page.api("setMode('backward')")
    page.press("END")
    page.element("zoom-fit").click()  # the whole graph, output included
    png = page.element("graph").screenshot_as_png
    pixels = imread(io.BytesIO(png))[..., :3]
    assert pixels.shape[0] > 100 and pixels.shape[1] > 400
    ink = np.any(pixels < 0.8, axis=-1).mean()
    assert 0.01 < ink < 0.6  # lines and text, on a mostly white page

    def share(colour: str) -> float:
        rgb = np.array([int(colour[k : k + 2], 16) / 255 for k in (1, 3, 5)])
        return float(np.all(np.abs(pixels - rgb) < 0.03, axis=-1).mean())

    assert share("#fde68a") > 0.002  # the output's fill
    assert share("#dbeafe") > 0.002  # the leaves' fill
    assert page.errors() == []


def test_forward_mode_carries_the_seeded_tangents(driver: WebDriver, tmp_path: Path) -> None:
    y, _, x, w, _ = example()
    path = explore(y, tmp_path / "tangents.html", tangents={x: 1.0, w: 0.5})
    assert isinstance(path, Path)
    page = Page(driver, path)
    order = topological_order(y)
    dx, dw = grad(y, [x, w])
    page.press("END")
    assert page.grad_text(len(order) - 1) == f"tangent {dx + 0.5 * dw:.4g}"
    caption = page.api("caption()")
    assert "Tangent: Σ over the operands of local derivative × operand's tangent" in caption
    assert numbers(caption)[-1] == pytest.approx(dx + 0.5 * dw, rel=5e-4)
    badges = page.js("return [...document.querySelectorAll('.badge text')].map(t => t.textContent)")
    assert len(badges) == 2  # y = t * x: one tangent term along each operand's edge
    page.api("setMode('backward')")
    page.press("END")
    assert page.grad_text(len(order) - 1) == "grad 1"
    assert page.errors() == []


def test_a_derivative_that_does_not_exist_shows_in_red(driver: WebDriver, tmp_path: Path) -> None:
    x = Value(0.0, "x")
    y = x.sqrt() + x
    y.label = "y"
    path = explore(y, tmp_path / "nan.html")
    assert isinstance(path, Path)
    page = Page(driver, path)
    page.api("setMode('backward')")
    page.press("END")
    cell = ".view g[data-node='0'][data-kind='value'] text.grad"
    assert page.js("return document.querySelector(arguments[0]).textContent", cell) == "grad nan"
    colour = page.js("return getComputedStyle(document.querySelector(arguments[0])).fill", cell)
    assert colour == "rgb(220, 38, 38)"  # #dc2626, draw_dot's red
    assert "nan" in page.api("explain('x')")
    assert page.errors() == []


@settings(max_examples=12)
@given(
    trees(max_leaves=8),
    st.lists(variable_values, min_size=N_VARS, max_size=N_VARS),
    st.floats(0.0, 1.0),
)
def test_the_pages_sweeps_match_the_engine(
    driver: WebDriver,
    tmp_path_factory: pytest.TempPathFactory,
    tree: Tree,
    xs: list[float],
    where: float,
) -> None:
    """For any graph and any node made the output, the page's gradients are the engine's."""
    _, root, order = finite_graph(tree, xs)
    target = order[min(len(order) - 1, int(where * len(order)))]
    try:
        expected = grad(target, order)
    except ValueError:  # a derivative that does not exist
        assume(False)
    path = explore(root, tmp_path_factory.mktemp("sweep") / "page.html")
    assert isinstance(path, Path)
    page = Page(driver, path)
    page.api("setOutput(arguments[0])", order.index(target))
    shown = page.js(
        "return Array.from({length: arguments[0]}, (_, i) => explorer.grad(i))", len(order)
    )
    for got, want in zip(shown, expected, strict=True):
        assert got == pytest.approx(want, rel=1e-9, abs=1e-12)
    # Each explanation ends on the node's grad, to four significant digits, and is the same
    # text at any step of either sweep.
    explain = "return Array.from({length: arguments[0]}, (_, i) => explorer.explain(i))"
    texts = page.js(explain, len(order))
    for text, want in zip(texts, expected, strict=True):
        if "does not depend on" in text:
            assert want == 0 and text.splitlines()[0].endswith(" = 0"), text
        else:
            assert numbers(text.splitlines()[-1])[-1] == pytest.approx(want, rel=5e-4, abs=1e-12)
    page.api("setMode('backward')")
    last = page.api("steps('backward')") - 1
    page.api(f"step({int(where * last)})")
    assert page.js(explain, len(order)) == texts
    assert page.errors() == []


def test_the_inline_page_works_inside_its_frame(driver: WebDriver, tmp_path: Path) -> None:
    """What Jupyter shows: the page in an iframe's srcdoc, scripted as on its own."""
    shown = explore(example()[0])
    assert not isinstance(shown, Path)
    notebook = tmp_path / "notebook.html"
    notebook.write_text(f"<!DOCTYPE html><title>a notebook</title>{shown._repr_html_()}", "utf-8")
    page = Page(driver, notebook)
    driver.switch_to.frame(driver.find_element("tag name", "iframe"))
    try:
        assert page.api("steps('backward')") == 1 + sum(
            1 for v in topological_order(example()[0]) if v.parents
        )
        page.element("next").click()
        last = page.api("steps('forward')") - 1
        assert page.counter() == f"Forward step 1 of {last}"
    finally:
        driver.switch_to.default_content()
    assert page.errors() == []
