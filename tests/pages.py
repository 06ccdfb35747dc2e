"""Reading pages in tests: a response parsed as HTML (BeautifulSoup), and the parts of it a person looks at
(the flash messages, the error beside a field, a table's rows, the links and forms), as plain text.

Assert on the element that matters, not on a substring of the markup:

    page = soup(response)
    assert flashes(page) == ["Guardamos los cambios."]
    assert field_error(page, "rfc") == "El RFC «ABC123» no es válido..."
    assert value_of(page, "name") == "Unión de Apicultoras del Puuc"
    assert f"/productos/{listing.id}" in hrefs(page)

and the `htmx` fixture (loaded by `pytest_plugins` in tests/conftest.py) runs a test twice, as a browser
without JavaScript and as htmx:

    def test_x(client: TestClient, htmx: Htmx) -> None:
        response = client.post(url, data=form, headers=htmx.headers)
        if htmx:
            assert is_fragment(response)
        ...
"""

from __future__ import annotations

from dataclasses import dataclass

import httpx
import pytest
from bs4 import BeautifulSoup, Tag
from bs4.element import NavigableString, PreformattedString

# What a page may be given as: a response, its HTML, or what was already parsed (the page or one element).
Html = httpx.Response | str | Tag

# Elements that start a line of their own, and controls: their text is set apart from the text around them.
BLOCKS = frozenset(
    {
        *("address", "article", "aside", "blockquote", "br", "caption", "dd", "details", "dialog", "div"),
        *("dl", "dt", "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5"),
        *("h6", "header", "hr", "legend", "li", "main", "nav", "ol", "option", "p", "pre", "section"),
        *("summary", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "ul"),
        *("button", "img", "input", "label", "select", "textarea"),  # controls stand apart too
    }
)
# Elements whose content is not text on the page.
NOT_TEXT = frozenset({"script", "style", "template"})


def soup(page: Html) -> Tag:
    """The page parsed (a parsed page or element is returned as it is)."""
    if isinstance(page, Tag):
        return page
    return BeautifulSoup(page if isinstance(page, str) else page.text, "html.parser")


def text_of(page: Html | None) -> str:
    """What a person reads: the text of the page or element, whitespace collapsed, blocks set apart by a
    space (`<td>3</td><td>precio</td>` reads "3 precio"); scripts and styles left out. "" for None."""
    if page is None:
        return ""
    parts: list[str] = []

    def walk(element: Tag) -> None:
        for child in element.children:
            if isinstance(child, Tag):
                if child.name in NOT_TEXT:
                    continue
                block = child.name in BLOCKS
                if block:
                    parts.append(" ")
                walk(child)
                if block:
                    parts.append(" ")
            elif isinstance(child, NavigableString) and not isinstance(child, PreformattedString):
                parts.append(str(child))

    walk(soup(page))
    return " ".join("".join(parts).split())


def elements(page: Html, selector: str) -> list[Tag]:
    """Every element the CSS selector matches, in the page's order."""
    return list(soup(page).select(selector))


def one(page: Html, selector: str) -> Tag:
    """The one element the CSS selector matches (an assertion error says how many matched)."""
    found = elements(page, selector)
    assert len(found) == 1, f"{len(found)} elements match {selector!r} in: {text_of(page)[:2000]}"
    return found[0]


def maybe(page: Html, selector: str) -> Tag | None:
    """The element the CSS selector matches, or None; more than one is an assertion error."""
    found = elements(page, selector)
    assert len(found) <= 1, f"{len(found)} elements match {selector!r} in: {text_of(page)[:2000]}"
    return found[0] if found else None


def texts(page: Html, selector: str) -> list[str]:
    """The text of each element the CSS selector matches."""
    return [text_of(element) for element in elements(page, selector)]


def attr(element: Tag, name: str) -> str | None:
    """An attribute's value as written (a class list joined by spaces), or None."""
    value = element.get(name)
    if value is None or isinstance(value, str):
        return value
    return " ".join(value)


def is_fragment(page: Html) -> bool:
    """A part of a page (what htmx swaps in), not a whole document with the site's frame."""
    return soup(page).find("html") is None


def main(page: Html) -> Tag:
    """The page's content (`<main>`) without the site's header and footer; a fragment is all content."""
    parsed = soup(page)
    return maybe(parsed, "main") or parsed


def heading(page: Html) -> str:
    """The text of the page's first heading (`<h1>`)."""
    headings = elements(page, "h1")
    return text_of(headings[0]) if headings else ""


# --- messages -----------------------------------------------------------------------------------------


def flashes(page: Html, kind: str | None = None) -> list[str]:
    """The message boxes of the page (`.flash`: what was done, what was refused, warnings), of one kind
    ("success", "error", "warn"...) if given."""
    return texts(page, f".flash.{kind}" if kind else ".flash")


def flash(page: Html, kind: str | None = None) -> str:
    """The one message box of the page (of one kind, if given); an assertion error shows them all."""
    found = flashes(page, kind)
    assert len(found) == 1, f"{len(found)} {kind or ''} messages: {found}"
    return found[0]


def field_errors(page: Html) -> dict[str, str]:
    """Every error shown beside a field, by the id that ties it to its field without the "e-"
    (`{"rfc": "El RFC..."}`; a form repeated on a page has ids like "rating-12")."""
    return {(attr(e, "id") or "")[2:]: text_of(e) for e in elements(page, ".error[id^='e-']")}


def field_error(page: Html, name: str) -> str | None:
    """The error shown beside the field `name`, or None when that field has no error: the error with the id
    `e-<name>`, else the one the control named `name` (or `name[]`) points to with `aria-describedby`, else
    the one right after the control (or its `<label>`), else the one in the box around the control (its
    `.field` or `<fieldset>`)."""
    parsed = soup(page)
    by_id = maybe(parsed, f"[id='e-{name}']")
    if by_id is not None:
        return text_of(by_id)
    for control in elements(parsed, named(name)):
        for described_by in (attr(control, "aria-describedby") or "").split():
            error = maybe(parsed, f"[id='{described_by}'].error")
            if error is not None:
                return text_of(error)
        beside = (control.find_parent("label") or control).find_next_sibling()
        if isinstance(beside, Tag) and "error" in (attr(beside, "class") or "").split():
            return text_of(beside)
        box = control.find_parent(class_="field") or control.find_parent("fieldset")
        error = box.find(class_="error", recursive=False) if box is not None else None
        if isinstance(error, Tag):
            return text_of(error)
    return None


def named(name: str, element: str = "") -> str:
    """The CSS selector of the controls named `name`, or `name[]` (a list of checkboxes)."""
    return f"{element}[name='{name}'], {element}[name='{name}[]']"


def error_fields(page: Html) -> dict[str, str]:
    """On an error page, what it says about each field it names (`<code>name</code>: message`)."""
    found: dict[str, str] = {}
    for item in elements(page, ".field-errors li"):
        name = text_of(one(item, "code"))
        found[name] = text_of(item).removeprefix(name).removeprefix(":").strip()
    return found


# --- forms --------------------------------------------------------------------------------------------


def value_of(page: Html, name: str) -> str | None:
    """What the field `name` holds as the page shows it: an input's value, a textarea's text, the selected
    option of a select, the checked one of radio buttons; None when it has none. No such field is an
    assertion error."""
    parsed = soup(page)
    controls = elements(parsed, f"[name='{name}']")
    assert controls, f"no field named {name!r}"
    first = controls[0]
    if first.name == "textarea":
        return first.get_text()
    if first.name == "select":
        chosen = first.find("option", selected=True)
        return attr(chosen, "value") if isinstance(chosen, Tag) else None
    if attr(first, "type") in ("radio", "checkbox"):
        chosen_ones = [attr(c, "value") for c in controls if c.has_attr("checked")]
        return chosen_ones[0] if chosen_ones else None
    return attr(first, "value")


def checked_values(page: Html, name: str) -> list[str]:
    """The values of the checked checkboxes (or radio button) named `name` or `name[]`."""
    return [
        attr(box, "value") or "" for box in elements(page, named(name, "input")) if box.has_attr("checked")
    ]


def field_names(page: Html) -> list[str]:
    """The names of the fields a person fills or chooses (no hidden inputs, no buttons), once each."""
    names: list[str] = []
    for control in elements(page, "input[name], textarea[name], select[name]"):
        name = attr(control, "name") or ""
        if attr(control, "type") not in ("hidden", "submit") and name not in names:
            names.append(name)
    return names


def option_values(page: Html, name: str) -> list[str]:
    """The values a select named `name` offers."""
    return [attr(option, "value") or "" for option in elements(one(page, f"select[name='{name}']"), "option")]


def form_actions(page: Html) -> list[str]:
    """Where the page's forms send to (their `action`s), in order."""
    return [attr(form, "action") or "" for form in elements(page, "form")]


def form_to(page: Html, action: str) -> Tag:
    """The one form that sends to `action`."""
    return one(page, f"form[action='{action}']")


def buttons(page: Html) -> list[str]:
    """The text of every button."""
    return texts(page, "button")


# --- links and tables ----------------------------------------------------------------------------------


def hrefs(page: Html, selector: str = "a[href]") -> list[str]:
    """Where the page's links (or the elements the selector matches) point to, in order."""
    return [attr(link, "href") or "" for link in elements(page, selector)]


def href_of(page: Html, label: str) -> str:
    """Where the one link whose text is `label` points to."""
    found = [a for a in elements(page, "a[href]") if text_of(a) == label]
    assert len(found) == 1, f"{len(found)} links read {label!r}; the links: {texts(page, 'a')}"
    return attr(found[0], "href") or ""


def facts(page: Html, selector: str = "dl") -> dict[str, str]:
    """The terms and what they say (`<dt>` and the `<dd>` after it) of the description lists the selector
    matches."""
    found: dict[str, str] = {}
    for term in elements(page, f"{selector} > dt, {selector} > div > dt"):
        description = term.find_next_sibling("dd")
        found[text_of(term)] = text_of(description) if isinstance(description, Tag) else ""
    return found


def table_rows(page: Html, selector: str = "table") -> list[list[str]]:
    """The rows of the table(s) the selector matches that have data cells (`<td>`), each as the text of
    its cells (header cells of the row included)."""
    return [
        [text_of(cell) for cell in row.find_all(["th", "td"], recursive=False) if isinstance(cell, Tag)]
        for table in elements(page, selector)
        for row in table.select("tr")
        if row.find("td", recursive=False) is not None
    ]


def table_row(page: Html, containing: str, selector: str = "table") -> list[str]:
    """The one table row with a cell that contains `containing`."""
    found = [r for r in table_rows(page, selector) if any(containing in cell for cell in r)]
    assert len(found) == 1, f"{len(found)} rows contain {containing!r}: {table_rows(page, selector)}"
    return found[0]


# --- htmx ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Htmx:
    """A request sent by htmx (`on`), or by a browser without JavaScript: a page that uses htmx answers
    both, one with a part of the page to swap in (or where to go), the other with a whole page or a 303."""

    on: bool

    def __bool__(self) -> bool:
        return self.on

    @property
    def headers(self) -> dict[str, str]:
        """The request headers htmx sends (none without it)."""
        return {"HX-Request": "true"} if self.on else {}

    def went_to(self, response: httpx.Response) -> str:
        """Where an action sends the person: a 303's Location without htmx; with htmx, the `HX-Redirect`
        of a 200 (htmx would swap a redirect's target into the page)."""
        if self.on:
            assert response.status_code == 200 and "hx-redirect" in response.headers, response.text
            return response.headers["hx-redirect"]
        assert response.status_code == 303, response.text
        return response.headers["location"]


@pytest.fixture(params=[False, True], ids=["no-htmx", "htmx"])
def htmx(request: pytest.FixtureRequest) -> Htmx:
    """Runs the test twice: as a browser without JavaScript, and as htmx (`htmx.headers` to send)."""
    return Htmx(bool(request.param))
