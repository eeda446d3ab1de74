"""Error pages that explain themselves."""

from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent
from django.shortcuts import render

TOO_LARGE = (
    "This form sent more than Costline accepts in one go (at most 200 lines, and 4,000 characters a description). "
    "Nothing was saved. Go back: your browser still has what you typed. Split the work into two documents, or "
    "shorten the longest texts, and save again."
)


def bad_request(request, exception):
    """400: say what was wrong with the request where we know it, never a bare 'Bad Request'."""
    too_large = isinstance(exception, TooManyFieldsSent | RequestDataTooBig)
    message = TOO_LARGE if too_large else "Costline could not read this request. Nothing was saved."
    return render(request, "400.html", {"message": message}, status=400)
