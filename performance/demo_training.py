"""Demo data of training and certification (seeder order 91): the
requirements (funds and wealth management products — where the structured
products sit — need the fund qualification 基金从业资格; insurance the
insurance qualification) and training records for the demo staff.

demo_rm holds a valid fund qualification; one colleague of the same branch
holds one that expired last month (so the 360° page shows the gate), another
one that expires in 45 days (the 60-day reminder is due). The other RMs get
a banking qualification and, for most of them, the fund qualification."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from clients.models import ProductCategory
from tenancy.demo import SeedContext
from tenancy.models import Role
from tenancy.timezones import tenant_zone

from .models_training import Certification, CertificationRequirement, Training

REQUIREMENTS = {
    ProductCategory.FUND: Certification.FUND,
    ProductCategory.WEALTH: Certification.FUND,
    ProductCategory.INSURANCE: Certification.INSURANCE,
}


def seed_trainings(ctx: SeedContext) -> None:
    today = timezone.localtime(timezone.now(), tenant_zone(ctx.tenant)).date()
    rng = ctx.rng
    CertificationRequirement.objects.bulk_create(
        [
            CertificationRequirement(tenant_id=ctx.tenant.pk, category=c, certification=r)
            for c, r in REQUIREMENTS.items()
        ]
    )
    rms = list(ctx.staff.get(Role.RM, []))
    heads = list(ctx.staff.get(Role.BRANCH_HEAD, []))
    demo_rm = next((u for u in rms if u.username == "demo_rm"), rms[0] if rms else None)
    rows: list[Training] = []

    def add(user, course, hours, days_ago, cert="", expires_in=None):
        rows.append(
            Training(
                tenant_id=ctx.tenant.pk,
                user=user,
                course=course,
                hours=Decimal(hours),
                completed_on=today - timedelta(days=days_ago),
                certification=cert,
                expires_on=today + timedelta(days=expires_in) if expires_in is not None else None,
            )
        )

    if demo_rm is not None:
        add(demo_rm, "基金从业资格考试（法律法规与职业道德）", "40", 400, Certification.FUND, 700)
        add(demo_rm, "反洗钱与客户尽职调查年度培训", "6", 60)
        add(demo_rm, "AFP 金融理财师认证课程", "108", 900, Certification.AFP, 200)
        colleagues = [u for u in rms if u is not demo_rm and u.branch_id == demo_rm.branch_id]
        colleagues = colleagues or [u for u in rms if u is not demo_rm]
        if colleagues:
            # expired 30 days ago: funds and wealth products are not offered to them
            add(colleagues[0], "基金从业资格考试", "40", 1100, Certification.FUND, -30)
        if len(colleagues) > 1:
            add(colleagues[1], "基金从业资格考试", "40", 1000, Certification.FUND, 45)
    named = {r.user_id for r in rows}
    for user in heads:
        add(user, "基金从业资格考试", "40", 1500, Certification.FUND, 300)
        add(user, "支行负责人合规管理培训", "12", 90)
    for user in rms:
        if user.pk in named:
            continue
        add(
            user,
            "银行业专业人员职业资格（初级）",
            "30",
            rng.randint(200, 1500),
            Certification.BANKING,
        )
        if rng.random() < 0.7:
            add(
                user,
                "基金从业资格考试",
                "40",
                rng.randint(100, 1000),
                Certification.FUND,
                rng.randint(60, 900),
            )
        add(user, "消费者权益保护培训", str(rng.choice([2, 4, 6])), rng.randint(10, 300))
    Training.objects.bulk_create(rows, batch_size=1000)
    ctx.say(f"  training: {len(rows)} records, {len(REQUIREMENTS)} certification requirements")
