"""API token authentication that loads the user's scope area in the same query.

Every scoped API call reads ``user.scope_path``; DRF's own class fetches the token with its
user only, so the scope area cost a second round trip on each request. The query is
compiled once per process (``PrecompiledQuery``): compiling a three-model join cost more CPU
than running it. Nothing is cached but the SQL text: a role, scope or password change, or a
deactivation, applies to the next request. A token older than
``WUSHE_API_TOKEN_MAX_AGE_DAYS`` is refused by its creation time, which the same row carries.
"""

from __future__ import annotations

from typing import Any

from rest_framework.authentication import TokenAuthentication as DrfTokenAuthentication
from rest_framework.authtoken.models import Token
from rest_framework.exceptions import AuthenticationFailed

from wushe.accounts import errors
from wushe.accounts.services import token_expired
from wushe.core.precompiled import PrecompiledQuery

# Without the scope area's outline (GeoJSON, a polygon of many points for a street), which
# no API request reads: it was read and parsed on every request; a page that draws it reads
# it then (deferred).
TOKEN_WITH_USER_AND_SCOPE = PrecompiledQuery(
    lambda key: Token.objects.select_related("user__scope_area")
    .defer("user__scope_area__geometry")
    .filter(key=key)
)


class TokenAuthentication(DrfTokenAuthentication):
    def authenticate_credentials(self, key: str) -> tuple[Any, Any]:
        token = TOKEN_WITH_USER_AND_SCOPE.first(key)
        if token is None or not token.user.is_active:
            # DRF's own checks and messages for an unknown token or an inactive user.
            return super().authenticate_credentials(key)
        if token_expired(token):
            raise AuthenticationFailed(errors.TOKEN_EXPIRED)
        return (token.user, token)
