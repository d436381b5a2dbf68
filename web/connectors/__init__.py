"""The connectors' web side: the senders' inbound endpoint (``/connectors/<code>/orders``, signed), the API
(``/api/v1/connectors…``) and the admin page (``/admin/connectors``)."""
