"""Single sign-on with the municipality's own accounts (OpenID Connect, SAML 2.0).

- ``models``: the administrator's group mapping (group → role, homes, areas)
  and the link from an identity provider's subject to a local user;
- ``services.sign_in``: the one place where a login from any identity
  provider creates or updates the user, role and homes (or refuses);
- ``backends``: the password backend (switchable), the OIDC backend
  (mozilla-django-oidc) and the SAML backend (djangosaml2);
- ``config``: settings read from the environment (see README, "Single sign-on").
"""
