"""The receipt rule written the long way, as the seed states it, for tests to compare the one comparison
the kept figures make (`MatchedService.received_within`, `receipt_counts.received_in_time`) against: a service
received its learning in time when a notice of any round was acknowledged within the receipt window
counted from its own first notice."""

from datetime import timedelta


def received_in_time(rounds, hours: int) -> bool:
    """`rounds`: the (issued_at, acknowledged_at or None) of each of one service's notices."""
    if not rounds:
        return False
    deadline = min(issued for issued, _ in rounds) + timedelta(hours=hours)
    return any(acknowledged is not None and acknowledged <= deadline for _, acknowledged in rounds)
