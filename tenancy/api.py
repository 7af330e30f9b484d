from __future__ import annotations

from django.contrib.auth import authenticate
from django.utils.translation import gettext as _
from django_filters import rest_framework as filters
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.plumbing import build_bearer_security_scheme_object
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.response import Response
from rest_framework.views import APIView

from . import selectors, services, tokens, twofactor
from .api_base import ScopedAPIMixin
from .authentication import ApiTokenAuthentication
from .filters import IdFilter
from .models import Branch, Role, User
from .models_security import ApiToken
from .timezones import tenant_zone


class IsTenantAdminOrReadOnly(permissions.BasePermission):
    message = "Only a tenant admin may do this."

    def has_permission(self, request, view):
        if request.method in permissions.SAFE_METHODS:
            return True
        return getattr(request.user, "role", None) == Role.ADMIN


class BranchField(serializers.PrimaryKeyRelatedField):
    """Resolves an incoming branch id through the selector (a foreign id is 'does not exist')."""

    def get_queryset(self):
        return selectors.branch_list(user=self.context["request"].user)


# --- auth ---------------------------------------------------------------------


class ApiTokenScheme(OpenApiAuthenticationExtension):
    """OpenAPI: ``Authorization: Token KEY`` (knox tokens)."""

    target_class = "tenancy.authentication.ApiTokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return build_bearer_security_scheme_object(
            header_name="Authorization", token_prefix="Token"
        )


class TokenRequestSerializer(serializers.Serializer):
    # bounded like the login form: a longer name reached the lockout's 255-character
    # column and answered 500
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(
        style={"input_type": "password"}, trim_whitespace=False, max_length=4096
    )
    otp = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=64,
        help_text="The current authenticator code (or a recovery code); required once the "
        "account has two-factor login.",
    )


def _locked_out():
    return Response(
        {
            "detail": _(
                "Too many failed logins: this account is locked for a while. Try again later."
            )
        },
        status=status.HTTP_429_TOO_MANY_REQUESTS,
    )


class TokenView(APIView):
    """Exchange username + password (+ ``otp`` once the account has two-factor
    login) for a new API token. Each call makes a new token (one per device);
    it expires after ``API_TOKEN_TTL_HOURS``. Locked out after repeated
    failures — wrong passwords and wrong codes alike — for the same username
    and address (HTTP 429), like the browser."""

    authentication_classes: list = []
    permission_classes = [permissions.AllowAny]

    @extend_schema(
        request=TokenRequestSerializer,
        responses={
            200: inline_serializer(
                "TokenResponse",
                {"token": serializers.CharField(), "expiry": serializers.DateTimeField()},
            )
        },
    )
    def post(self, request):
        data = TokenRequestSerializer(data=request.data)
        if not data.is_valid():
            return Response(data.errors, status=status.HTTP_400_BAD_REQUEST)
        # Raising here would roll back the request's transaction, and with it
        # axes' record of the failed attempt: so answer without raising.
        user = authenticate(
            request=request._request,
            username=data.validated_data["username"],
            password=data.validated_data["password"],
        )
        if getattr(request._request, "axes_locked_out", False):
            return _locked_out()
        if user is None or not user.is_active or user.tenant_id is None:
            return Response(
                {"non_field_errors": [_("Unable to log in with the given username and password.")]},
                status=status.HTTP_400_BAD_REQUEST,
            )
        if twofactor.has_two_factor(user):
            code = data.validated_data.get("otp", "")
            if not code:
                return Response(
                    {"otp": [_("This account logs in with a one-time code: send it as otp.")]},
                    status=status.HTTP_400_BAD_REQUEST,
                )
            if twofactor.otp_verify(user=user, code=code, request=request._request) is None:
                if getattr(request._request, "axes_locked_out", False):
                    return _locked_out()
                return Response(
                    {"otp": [_("That code is not right.")]}, status=status.HTTP_400_BAD_REQUEST
                )
        elif user.tenant.require_two_factor:
            return Response(
                {
                    "detail": _(
                        "Your bank requires two-factor login: set up an authenticator first."
                    )
                },
                status=status.HTTP_403_FORBIDDEN,
            )
        token, key = tokens.api_token_create(user=user, request=request._request)
        return Response({"token": key, "expiry": token.expiry})


class ApiTokenSerializer(serializers.ModelSerializer):
    current = serializers.SerializerMethodField()

    class Meta:
        model = ApiToken
        fields = ["id", "created", "expiry", "device", "current"]
        read_only_fields = fields

    def get_current(self, obj) -> bool:
        auth = self.context["request"].auth
        return isinstance(auth, ApiToken) and auth.pk == obj.pk


class TokenListView(ScopedAPIMixin, APIView):
    """The caller's own tokens that still work (never the keys)."""

    @extend_schema(responses=ApiTokenSerializer(many=True))
    def get(self, request):
        rows = tokens.api_token_list(user=request.user)
        return Response(ApiTokenSerializer(rows, many=True, context={"request": request}).data)


class LogoutView(ScopedAPIMixin, APIView):
    """Revoke the token this request was made with (204)."""

    authentication_classes = [ApiTokenAuthentication]

    @extend_schema(request=None, responses={204: None})
    def post(self, request):
        tokens.api_token_revoke(token=request.auth, request=request._request)
        return Response(status=status.HTTP_204_NO_CONTENT)


class LogoutAllView(ScopedAPIMixin, APIView):
    """Revoke every token of the caller ("log out everywhere", 204)."""

    @extend_schema(request=None, responses={204: None})
    def post(self, request):
        tokens.api_token_revoke_all(user=request.user, request=request._request)
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- me, branches, users ------------------------------------------------------


class MeSerializer(serializers.ModelSerializer):
    tenant = serializers.IntegerField(source="tenant_id")
    branch = serializers.IntegerField(source="branch_id", allow_null=True)
    tenant_name = serializers.CharField(source="tenant.name")
    time_zone = serializers.SerializerMethodField(help_text="The tenant's time zone (IANA name).")

    class Meta:
        model = User
        fields = [
            "id",
            "username",
            "first_name",
            "last_name",
            "email",
            "role",
            "tenant",
            "tenant_name",
            "branch",
            "time_zone",
        ]

    def get_time_zone(self, user) -> str:
        return tenant_zone(user.tenant).key


class MeView(ScopedAPIMixin, APIView):
    @extend_schema(responses=MeSerializer)
    def get(self, request):
        return Response(MeSerializer(request.user).data)


class BranchSerializer(serializers.ModelSerializer):
    parent = BranchField(allow_null=True, required=False)

    class Meta:
        model = Branch
        fields = ["id", "name", "code", "level", "parent", "path"]
        read_only_fields = ["path"]


class BranchViewSet(ScopedAPIMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = BranchSerializer
    selector = staticmethod(selectors.branch_list)
    permission_classes = [permissions.IsAuthenticated, IsTenantAdminOrReadOnly]

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        # a branch without a parent is a top-level branch (the service wants it said)
        data.setdefault("parent", None)
        serializer.instance = services.branch_create(actor=self.request.user, **data)


class StaffSerializer(serializers.ModelSerializer):
    password = serializers.CharField(
        write_only=True, trim_whitespace=False, style={"input_type": "password"}
    )
    branch = BranchField()
    role = serializers.ChoiceField(choices=Role.choices)

    class Meta:
        model = User
        fields = [
            "id",
            "username",
            "password",
            "first_name",
            "last_name",
            "email",
            "role",
            "branch",
            "is_active",
        ]
        read_only_fields = ["is_active"]
        extra_kwargs = {"username": {"validators": []}}


class StaffFilter(filters.FilterSet):
    # Foreign keys filter by id (NumberFilter): the rows are already scoped, and
    # a ModelChoiceFilter would query the related table outside any scope.
    role = filters.ChoiceFilter(choices=Role.choices)
    branch = IdFilter(field_name="branch_id")


class UserViewSet(ScopedAPIMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = StaffSerializer
    selector = staticmethod(selectors.staff_list)
    permission_classes = [permissions.IsAuthenticated, IsTenantAdminOrReadOnly]
    filterset_class = StaffFilter

    def perform_create(self, serializer):
        serializer.instance = services.staff_create(
            actor=self.request.user, **serializer.validated_data
        )
