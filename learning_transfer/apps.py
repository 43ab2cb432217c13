from django.apps import AppConfig


class LearningTransferConfig(AppConfig):
    """Chain A: incidents, learning triggers, matched services, notices, exposure and the summary."""

    name = "learning_transfer"
    verbose_name = "Learning transfer (chain A)"

    def ready(self):
        from escalation import chain_hooks, notifications, step_facts
        from providers import waiting_work

        from . import chain, computations, hooks, panels, permissions  # noqa: F401 - permissions registers the app's rules
        from .services import line_mails, notice_mails
        from .waiting_work import learning_work_waiting_on

        panels.register_panels()
        chain_hooks.register(chain.CHAIN_CODE, recorded=hooks.refuse_impossible_counts)
        chain_hooks.register(chain.CHAIN_CODE, recorded=hooks.name_services_left_out_above_the_median)
        computations.register_computations()
        # A notice's mail is composed as it leaves, so a late one says so (and an answered one stays).
        notifications.register_message_kind(notice_mails.KIND, notice_mails.compose)
        # A line's mail to its new owner likewise: one handed on again or done meanwhile does not leave.
        notifications.register_message_kind(line_mails.KIND, line_mails.compose)
        # What removing a role leaves to nobody: the learning work its holder is named for there.
        waiting_work.register(
            learning_work_waiting_on, "After this, nobody can act on the learning work they hold:"
        )
        # A1 recorded after the learning went out asks nobody to issue it: its breach is settled.
        step_facts.register_done_already("A1", chain.learning_issued)
        # A check of what the services did with the learning, recorded before its issue, says so.
        for code in chain.AFTER_ISSUE_STEPS:
            step_facts.register(code, chain.recorded_before_issue)
