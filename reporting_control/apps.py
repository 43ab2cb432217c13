from django.apps import AppConfig


class ReportingControlConfig(AppConfig):
    """Chain C: regulatory and commissioner updates, their evidence, issue holds and evidence packs."""

    name = "reporting_control"
    verbose_name = "Reporting control (chain C)"

    def ready(self):
        from escalation import chain_hooks, step_facts
        from learning_transfer.services import verification

        from . import (  # noqa: F401 - permissions registers the app's rules
            chain,
            computations,
            corroboration,
            evidence_mails,
            hooks,
            movement,
            panels,
            permissions,
            service_figures,
            step_lines,
        )

        panels.register_panels()
        computations.register_computations()
        # In this order: an impossible count is refused before anything is done about a breach.
        chain_hooks.register(chain.CHAIN_CODE, recorded=hooks.refuse_impossible_counts)
        chain_hooks.register(chain.CHAIN_CODE, recorded=hooks.act_on_breach)
        # C2 asks the movement from baseline only of the lines presented as improved, and says so.
        step_facts.register(chain.FIGURES_STEP, service_figures.completing_facts)
        step_facts.register(chain.FIGURES_STEP, movement.movement_facts)
        # C3 says which theme, services and days its complaints are counted for.
        step_facts.register("C3", corroboration.complaint_facts)
        step_facts.register_items_asked(
            chain.FIGURES_STEP, movement.MOVEMENT, movement.items_asked, none_asked=movement.NONE_ASKED
        )
        chain_hooks.register(chain.CHAIN_CODE, recorded=hooks.flag_movement_against_the_claim)
        chain_hooks.register(chain.CHAIN_CODE, recorded=hooks.judge_improved_lines_again)
        step_facts.register_affected_services(chain.FIGURES_STEP, movement.affected_services)
        # The sign-off and the challenge of the claims are judged against earlier checks' records.
        for code, against in chain.CHECKED_AGAINST.items():
            step_facts.register_checked_against(code, against)
        # The counting steps name the lines behind their figures; the sign-off shows what it is judged
        # against.
        for code in (chain.PREPARATION_STEP, "C4", chain.SIGN_OFF_STEP):
            step_facts.register(code, step_lines.lines_behind_facts)
        step_facts.register(chain.SIGN_OFF_STEP, step_lines.signed_off_against_facts)
        step_facts.register(chain.PREPARATION_STEP, step_lines.previous_updates_facts)
        # The sign-off signs off the update's lines as they stood: a line changed since asks for it again.
        step_facts.register_subject_changes(chain.SIGN_OFF_STEP, chain.lines_changed)
        # A verification withdrawn after an update's release tells whoever answers for the update.
        verification.on_withdrawal(evidence_mails.tell_withdrawal_since_release)
