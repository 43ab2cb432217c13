"""The update page speaks plain words first: step and chain codes come after, as secondary labels."""

import re

from reporting_control import chain


def test_the_update_page_names_the_checks_and_the_sign_off_before_their_codes(
    client, sign_in, plan, provider_director
):
    update = plan()
    sign_in(provider_director)
    page = client.get(update.get_absolute_url()).text
    run = chain.run_for(update)
    assert f'<a href="{run.get_absolute_url()}">See the checks before issue and their deadlines</a>' in page
    assert "Sign off the update for issue</a>" in page
    assert "sign-off for issue (C5) is not recorded yet" in page
    # No link or heading starts with a code.
    assert not re.search(r">\s*(?:Chain [A-C]|Open the chain|Record the issue-control record)", page)
