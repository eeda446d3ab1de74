"""Project-wide response rules that belong to no one app."""

from django.utils.cache import add_never_cache_headers


def no_store(get_response):
    """Pages and exports carry a company's books: no browser or proxy cache keeps a copy.

    Static files never reach this middleware (WhiteNoise answers them first, with their own long cache); a view
    that sets its own Cache-Control keeps it.
    """

    def middleware(request):
        response = get_response(request)
        if not response.has_header("Cache-Control"):
            add_never_cache_headers(response)
        return response

    return middleware
