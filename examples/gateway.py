"""The ASGI gateway server of the httpcore README: run with `uvicorn examples.gateway:app`.

It forwards every request to `base_url` with streaming uploads and downloads. The code is the
README's, unchanged, except that the upstream URL may come from the GATEWAY_UPSTREAM variable.
"""

import os

import httpcore


class GatewayServer:
    def __init__(self, base_url):
        self.base_url = base_url
        self.http = httpcore.ConnectionPool()

    async def __call__(self, scope, receive, send):
        assert scope["type"] == "http"
        path = scope["path"]
        query = scope["query_string"]
        method = scope["method"]
        headers = [
            (k, v) for (k, v) in scope["headers"] if k not in (b"host", b"transfer-encoding")
        ]

        url = self.base_url + path
        if query:
            url += "?" + query.decode()

        initial_body, more_body = await self.initial_body(receive)
        if more_body:
            # Streaming request.
            body = self.stream_body(receive, initial_body)
        else:
            # Standard request.
            body = initial_body

        response = await self.http.request(method, url, headers=headers, body=body, stream=True)

        await send(
            {
                "type": "http.response.start",
                "status": response.status_code,
                "headers": response.headers,
            }
        )
        data = b""
        async for next_data in response.raw():
            if data:
                await send({"type": "http.response.body", "body": data, "more_body": True})
            data = next_data
        await send({"type": "http.response.body", "body": data})

    async def initial_body(self, receive):
        """
        Pull the first body message off the 'receive' channel.
        Allows us to determine if we should use a streaming request or not.
        """
        message = await receive()
        body = message.get("body", b"")
        more_body = message.get("more_body", False)
        return (body, more_body)

    async def stream_body(self, receive, initial_body):
        """
        Async iterator returning bytes for the request body.
        """
        yield initial_body
        while True:
            message = await receive()
            yield message.get("body", b"")
            if not message.get("more_body", False):
                break


app = GatewayServer(os.environ.get("GATEWAY_UPSTREAM", "http://example.org"))
