"""What a page looks like on a small screen, asked of the browser."""

# The table cells, links, buttons and fields of the page that lie past either edge of the window, where a
# person on a phone would have to scroll a table sideways to find them (or would not know they are there).
OUT_OF_REACH = """() => [...document.querySelectorAll(
    'main tbody td, main tbody th, main a[href], main button, main input, main select, main textarea')]
  .map(e => [e, e.getBoundingClientRect()])
  .filter(([e, r]) => r.width > 0 && (r.left < -0.5 || r.right > window.innerWidth + 0.5))
  .map(([e, r]) => (e.textContent.trim().replace(/\\s+/g, ' ') || e.getAttribute('name') || e.tagName)
                   .slice(0, 50) + ` (${Math.round(r.left)} to ${Math.round(r.right)} px)`)"""
