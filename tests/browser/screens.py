"""What a page looks like on a small screen, asked of the browser: each a script for `page.evaluate`."""

# The innermost elements that reach past the right edge of the window, to name what widens a page.
TOO_WIDE = """() => [...document.querySelectorAll('main *, header *')]
  .filter(e => e.getBoundingClientRect().right > window.innerWidth + 0.5 && !e.firstElementChild)
  .slice(0, 3).map(e => e.tagName.toLowerCase() + (e.className ? '.' + e.className : ''))"""

# Rendered size of the smallest label of each visible chart, in CSS pixels.
SMALLEST_CHART_LABEL = """() => Math.min(Infinity, ...[...document.querySelectorAll('svg.app-chart')]
  .filter(svg => svg.getBoundingClientRect().width > 0)
  .flatMap(svg => [...svg.querySelectorAll('text')].map(text => parseFloat(text.getAttribute('font-size'))
     * svg.getBoundingClientRect().width / svg.viewBox.baseVal.width)))"""

# The table cells, links, buttons and fields of the page that lie past either edge of the window, where a
# person on a phone would have to scroll a table sideways to find them (or would not know they are there).
OUT_OF_REACH = """() => [...document.querySelectorAll(
    'main tbody td, main tbody th, main a[href], main button, main input, main select, main textarea')]
  .map(e => [e, e.getBoundingClientRect()])
  .filter(([e, r]) => r.width > 0 && (r.left < -0.5 || r.right > window.innerWidth + 0.5))
  .map(([e, r]) => (e.textContent.trim().replace(/\\s+/g, ' ') || e.getAttribute('name') || e.tagName)
                   .slice(0, 50) + ` (${Math.round(r.left)} to ${Math.round(r.right)} px)`)"""

# The stacked cells of responsive tables (NHS.UK lays each cell out as a row: its label, then its value)
# whose value is more than one piece, which the row would set side by side in narrow columns: a link
# and the line under it, a list and a note. Such a value belongs in one element, or the cell reads
# under its label (app-cell-prose).
SPLIT_CELLS = """() => [...document.querySelectorAll('main .nhsuk-table-responsive tbody td')]
  .filter(td => getComputedStyle(td).display === 'flex')
  .filter(td => [...td.childNodes].filter(n => n.nodeType === Node.ELEMENT_NODE
      ? !n.classList.contains('nhsuk-table-responsive__heading') && n.tagName !== 'BR'
        && getComputedStyle(n).display !== 'none'
      : n.nodeType === Node.TEXT_NODE && n.textContent.trim()).length > 1)
  .map(td => td.textContent.trim().replace(/\\s+/g, ' ').slice(0, 60))"""
