"""The one palette: Government Analysis Function colours (accessible categorical order and highlight pair)."""

DARK_BLUE = "#12436D"
TURQUOISE = "#28A197"
DARK_PINK = "#801650"
ORANGE = "#F46A25"
DARK_GREY = "#3D3D3D"
LIGHT_PURPLE = "#A285D1"
MID_GREY = "#BFBFBF"
CATEGORICAL = (DARK_BLUE, TURQUOISE, DARK_PINK, ORANGE, DARK_GREY, LIGHT_PURPLE)

IMPROVEMENT = DARK_BLUE  # Making Data Count: blue for improvement
CONCERN = ORANGE  # ... orange for concern
NEUTRAL = "#7030A0"  # ... purple for special cause with no better direction
COMMON = DARK_GREY
FONT = "Source Sans Pro, Arial, sans-serif"


def is_dark(colour: str) -> bool:
    """True for a fill ('#12436D') that black text would not stand out on (sRGB luminance below 0.3): use white."""
    value = colour.lstrip("#")
    red, green, blue = (int(value[i : i + 2], 16) / 255 for i in (0, 2, 4))
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue < 0.3
