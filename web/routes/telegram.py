"""POST /telegram/<secret path>: Telegram delivers updates here in webhook mode. Not in the
OpenAPI schema: the path is a secret, and the only client is Telegram."""

import hmac

from fastapi import APIRouter, HTTPException, Request, Response

from bot import WEBHOOK_PREFIX, TelegramBot, Verdict

from ..errors import MSG_BAD_JSON

# The header Telegram sends with every webhook POST (the secret given to setWebhook).
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"

router = APIRouter(include_in_schema=False)


@router.post(WEBHOOK_PREFIX + "{key}")
async def telegram_webhook(key: str, request: Request) -> Response:
    bot: TelegramBot | None = request.app.state.bot
    if bot is None or not bot.webhook or not hmac.compare_digest((WEBHOOK_PREFIX + key).encode(), bot.webhook_path.encode()):
        raise HTTPException(404)
    if not bot.credentials.secret_matches(request.headers.get(SECRET_HEADER)):
        raise HTTPException(403, "Sai mã bí mật của webhook Telegram.")
    if not bot.running:
        raise HTTPException(503, "Bot Telegram đang khởi động. Vui lòng thử lại sau.")  # Telegram retries
    try:
        data = await request.json()
    except ValueError:
        raise HTTPException(400, MSG_BAD_JSON) from None
    if not isinstance(data, dict) or not isinstance(data.get("update_id"), int):
        raise HTTPException(400, "Dữ liệu gửi lên không phải một cập nhật Telegram.")
    # the reply goes out before Telegram gets its 200: an update is never lost in a queue
    verdict = await bot.process(data)
    request.app.state.metrics.webhook.labels(verdict.value).inc()
    if verdict is Verdict.BUSY:  # being handled elsewhere now: Telegram sends it again later
        raise HTTPException(503, "Cập nhật này đang được xử lý. Vui lòng gửi lại sau.")
    return Response(status_code=200)
