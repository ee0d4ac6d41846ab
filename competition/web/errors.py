"""HTML error pages for the browser side.

The JSON body of api.md keeps its English `message`; the page shows the same error in the page's
language: a generic message of its status code (always for a server fault), or the page's own message
when the view gave one (already translated where it was raised).
"""
from __future__ import annotations

from flask import render_template
from flask_babel import gettext as _
from werkzeug.exceptions import HTTPException

from competition.api.errors import DEFAULT_MESSAGES, error_body


def generic_texts(code: int) -> tuple[str, str] | None:
    """(title, message) of a status code on an error page, in the page's language."""
    texts = {
        400: (_("请求无效"), _("请求的格式不正确。")),
        401: (_("需要登录"), _("请先登录。")),
        403: (_("无权访问"), _("您无权执行此操作。")),
        404: (_("未找到"), _("找不到该页面或对象。")),
        405: (_("不支持的请求"), _("此页面不支持该请求方式。")),
        409: (_("操作冲突"), _("该操作与当前状态冲突。")),
        413: (_("内容过大"), _("提交的内容过大。")),
        415: (_("格式不支持"), _("不支持提交的内容格式。")),
        422: (_("请求无效"), _("提交的内容不符合要求。")),
        429: (_("请求过于频繁"), _("请求过于频繁，请稍后再试。")),
        500: (_("服务器内部错误"), _("服务器内部错误。")),
        503: (_("服务暂不可用"), _("服务暂时不可用，请稍后再试。")),
    }
    return texts.get(code)


def html_error(error: HTTPException):
    body, headers = error_body(error)
    code = body["code"]
    texts = generic_texts(code)
    title = texts[0] if texts else body["status"]
    data = getattr(error, "data", None) or {}
    message = data.get("page_message") or body["message"]
    if texts and (message == DEFAULT_MESSAGES.get(code) or code >= 500):  # a server fault: no details
        message = texts[1]
    return render_template("error.html", error=body, title=title, message=message), code, headers
