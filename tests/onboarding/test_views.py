"""The onboarding pages: who may use them, the upload → preview → confirm flow,
and the password links for imported users."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from botilbud.models import Home, Role, User
from onboarding.models import ImportBatch
from tests.onboarding.conftest import FILES, SAMPLES


def upload(client, kind: str, path):
    return client.post(
        reverse("onboarding:upload", args=[kind]), {"file": SimpleUploadedFile(path.name, path.read_bytes())}
    )


def test_admin_uploads_previews_and_confirms(admin, client_for):
    client = client_for(admin)
    response = upload(client, "organisation", SAMPLES / "organisation.csv")
    batch = ImportBatch.objects.get()
    assert response.status_code == 302 and response.url == reverse("onboarding:batch", args=[batch.pk])
    page = client.get(response.url).content.decode()
    assert "Kontrollér og godkend" in page and "Godkend og indlæs" in page
    assert Home.objects.count() == 0
    response = client.post(reverse("onboarding:batch_confirm", args=[batch.pk]))
    assert response.status_code == 302
    assert Home.objects.count() == 6
    page = client.get(reverse("onboarding:batch", args=[batch.pk])).content.decode()
    assert "Indlæst" in page and "Skrevet" in page
    # The import's history page shows the confirmation.
    assert client.get(reverse("history", args=["indlaesning", batch.pk])).status_code == 200


def test_bad_file_is_a_400_naming_the_lines(admin, client_for):
    response = upload(client_for(admin), "organisation", FILES / "organisation_med_fejl.csv")
    assert response.status_code == 400
    page = response.content.decode()
    assert "Filen er afvist: 3 af 5 rækker har fejl" in page
    for line in (4, 5, 6):
        assert f'<td class="num">{line}</td>' in page
    assert ImportBatch.objects.count() == 0


def test_discard_writes_nothing(admin, client_for):
    client = client_for(admin)
    upload(client, "organisation", SAMPLES / "organisation.csv")
    batch = ImportBatch.objects.get()
    client.post(reverse("onboarding:batch_discard", args=[batch.pk]))
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.DISCARDED and Home.objects.count() == 0
    response = client.post(reverse("onboarding:batch_confirm", args=[batch.pk]), follow=True)
    assert "allerede annulleret" in response.content.decode() and Home.objects.count() == 0


@pytest.mark.parametrize("role", [r for r in Role if r != Role.ADMIN])
def test_non_admins_get_403(org, client_for, role):
    user = User.objects.filter(role=role).first()
    client = client_for(user)
    assert client.get(reverse("onboarding:start")).status_code == 403
    assert client.get(reverse("onboarding:upload", args=["organisation"])).status_code == 403
    assert client.get(reverse("onboarding:upload", args=["brugere"])).status_code == 403
    assert client.get(reverse("onboarding:passwords")).status_code == 403
    assert client.post(reverse("onboarding:password_link", args=[user.pk])).status_code == 403
    budget = client.get(reverse("onboarding:upload", args=["budget"])).status_code
    assert budget == (200 if role == Role.CONSULTANT else 403)


def test_unknown_kind_is_404(admin, client_for):
    assert client_for(admin).get(reverse("onboarding:upload", args=["noget"])).status_code == 404


def test_batches_are_scoped(org, client_for):
    admin_batch = ImportBatch.objects.create(kind="organisation", file_name="o.csv", uploaded_by=org.administrator)
    own = ImportBatch.objects.create(kind="budget", file_name="b.csv", uploaded_by=org.consultant)
    client = client_for(org.consultant)
    assert client.get(reverse("onboarding:batch", args=[own.pk])).status_code == 200
    assert client.get(reverse("onboarding:batch", args=[admin_batch.pk])).status_code == 404
    assert client.post(reverse("onboarding:batch_confirm", args=[admin_batch.pk])).status_code == 404
    client = client_for(org.manager)
    assert client.get(reverse("onboarding:batch", args=[own.pk])).status_code == 404
    assert client.post(reverse("onboarding:batch_discard", args=[own.pk])).status_code == 404
    client = client_for(org.administrator)
    assert client.get(reverse("onboarding:batch", args=[own.pk])).status_code == 200
    assert client.get(reverse("onboarding:batch_confirm", args=[own.pk])).status_code == 405


def test_old_budget_import_url_leads_to_the_staged_import(org, client_for):
    response = client_for(org.consultant).get(reverse("budget:budget_import"))
    assert response.status_code == 302 and response.url == reverse("onboarding:upload", args=["budget"])
    assert client_for(org.manager).get(reverse("budget:budget_import")).status_code == 403


def test_sample_files_download(admin, client_for):
    response = client_for(admin).get(reverse("onboarding:sample", args=["organisation"]))
    assert response.status_code == 200 and b"Omkostningssted" in b"".join(response.streaming_content)


def test_kom_i_gang_shows_progress(admin, client_for, onboarded, django_assert_max_num_queries):
    client = client_for(admin)
    with django_assert_max_num_queries(20):
        page = client.get(reverse("onboarding:start")).content.decode()
    assert "6 aktive botilbud" in page and "12 brugere ud over administratorer" in page
    assert "6 af 6 botilbud har en leder" in page
    assert "12 har endnu ikke valgt adgangskode" in page
    assert "0 bevillinger" in page


def test_kom_i_gang_query_count_does_not_grow(
    admin, client_for, onboarded, run_import, tmp_path, django_assert_max_num_queries
):
    # Twice the homes: the same number of queries.
    path = tmp_path / "more.csv"
    rows = ["Område;Botilbud;Omkostningssted;Pladser;Målgruppe"]
    rows += [f"Vest;Hus {i};7{i:04d};5;Handicap" for i in range(20)]
    path.write_text("\n".join(rows) + "\n")
    run_import("organisation", path)
    client = client_for(admin)
    with django_assert_max_num_queries(20):
        assert client.get(reverse("onboarding:start")).status_code == 200


def test_password_link_lets_an_imported_user_choose_a_password(admin, client_for, onboarded, client):
    anne = User.objects.get(username="anne.holm")
    admin_client = client_for(admin)
    page = admin_client.get(reverse("onboarding:passwords")).content.decode()
    assert "anne.holm" in page
    response = admin_client.post(reverse("onboarding:password_link", args=[anne.pk]))
    link = response.context["link"]
    assert "/kom-i-gang/vaelg-adgangskode/" in link
    client.logout()
    path = link.split("testserver", 1)[1]
    response = client.get(path)
    assert response.status_code == 302  # Django moves the token into the session
    form_url = response.url
    response = client.post(form_url, {"new_password1": "Fjordby-2026-sikker", "new_password2": "Fjordby-2026-sikker"})
    assert response.status_code == 302
    anne.refresh_from_db()
    assert anne.has_usable_password() and anne.check_password("Fjordby-2026-sikker")
    # The link works once only.
    assert b"virker ikke" in client.get(path, follow=True).content
    assert client.login(username="anne.holm", password="Fjordby-2026-sikker")


def test_password_links_command(onboarded, capsys):
    call_command("onboarding_password_links", "--base-url", "https://botilbud.fjordby.dk")
    out = capsys.readouterr().out
    assert out.count("https://botilbud.fjordby.dk/kom-i-gang/vaelg-adgangskode/") == 12


def test_create_first_admin_once(db, capsys):
    call_command("create_first_admin")
    assert "Adgangskode:" in capsys.readouterr().out
    call_command("create_first_admin")
    assert "allerede en administrator" in capsys.readouterr().out
    assert User.objects.filter(role=Role.ADMIN).count() == 1
    assert User.objects.get().is_superuser
