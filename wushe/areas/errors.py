"""Messages of the areas app (translatable constants that tests assert on)."""

from django.utils.translation import gettext_lazy as _

CODE_REQUIRED = _("The code is missing.")
CODE_NOT_DIGITS = _("Code “{code}” must be digits only.")
CODE_LOST_DIGITS = _(
    "Code {value} was turned into a number by Excel and its digits were lost. "
    "Format the code column as Text and type the codes again."
)
CODE_LEVEL_MISMATCH = _(
    "Code {code} does not fit the level {level}: districts, streets and communities use the "
    "12-digit national code, grids the community code plus 3 digits, buildings the parent "
    "code plus 4 digits."
)
NAME_REQUIRED = _("The name is missing.")
LEVEL_REQUIRED = _("The level is missing.")
LEVEL_UNKNOWN = _(
    "Unknown level “{value}”: use district, street, community, grid or building "
    "(区、街道、社区、网格、楼栋)."
)
PARENT_UNKNOWN = _("Parent code {code} is unknown or outside your area.")
PARENT_REJECTED = _("Parent code {code} was rejected in row {row}.")
PARENT_WRONG_LEVEL = _("A {level} cannot sit under a {parent_level} ({parent_code}).")
CODE_NOT_UNDER_PARENT = _("Code {code} does not start with its parent's code {parent_code}.")
DUPLICATE_IN_FILE = _("Code {code} appears again; first in row {row}.")
ALREADY_ELSEWHERE = _(
    "Area {code} already exists under {parent_code}; moving it needs the move function "
    "(with a reason), not an import."
)
LEVEL_CHANGED = _("Area {code} already exists as a {level}; its level cannot change.")
COORD_BOTH = _("Give both longitude and latitude, or neither.")
COORD_NOT_NUMBER = _("{field} “{value}” is not a number.")
COORD_OUTSIDE = _(
    "Longitude {lon} / latitude {lat} lies outside China (longitude 73–136, latitude 3–54); "
    "are the two columns swapped?"
)
MOVE_WRONG_LEVEL = _("A {level} cannot be moved under a {parent_level}.")
MOVE_INTO_ITSELF = _("An area cannot be moved under itself or one of its own sub-areas.")
MOVE_SAME_PARENT = _("{name} is already under {parent}.")
MOVE_ROOT = _("A top-level area cannot be moved.")
MERGE_LEVELS = _("Only two grids can be merged (got a {source} and a {target}).")
MERGE_SAME = _("An area cannot be merged into itself.")
INACTIVE = _("{name} was merged into another area and can no longer change.")
REASON_REQUIRED = _("Say why the boundary changes: the reason is kept in the history.")
OUT_OF_SCOPE = _("Area {code} is outside your area.")
GEOMETRY_TYPE = _("The outline must be GeoJSON: a Polygon or a MultiPolygon.")
GEOMETRY_RING = _(
    "Each ring of the outline needs at least four points, the last equal to the first."
)
GEOMETRY_POINT = _("Each point of the outline is [longitude, latitude] in degrees.")
GEOMETRY_TOO_BIG = _("The outline has too many points (at most 20,000).")
GEOMETRY_NOT_JSON = _("The outline is not valid JSON.")
GEOMETRY_TOO_DEEP = _(
    "The outline is nested too deeply: GeoJSON coordinates are [longitude, latitude] "
    "pairs in rings."
)
GEOMETRY_LEVEL = _("Only streets, communities and grids have an outline; {code} is not one.")
GEOMETRY_INACTIVE = _("{code} was merged into another area and is kept for the history only.")
