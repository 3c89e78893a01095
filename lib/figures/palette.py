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
