"""Fixtures for report tests: the seeded category tree and departments, and a department staff user."""

import pytest

from app.core.permissions import Role
from app.extensions import db
from app.reports.categories import seed_categories, seed_departments
from app.reports.models import Department, DepartmentMember
from tests.factories import UserFactory, member


@pytest.fixture
def categories():
    seed_categories()
    db.session.commit()


@pytest.fixture
def departments(world):
    seed_departments(world.district)
    db.session.commit()
    return {d.code: d for d in db.session.query(Department)}


@pytest.fixture
def dept_staff(world, departments):
    """A 城管 (urban management) officer: department_staff at the district, member of the department."""
    user = UserFactory(name="dept_staff")
    member(user, world.district, Role.DEPARTMENT_STAFF)
    db.session.add(DepartmentMember(department=departments["urban"], user=user))
    db.session.commit()
    return user
