"""Operations pages: parse, authorize, call; one module per concept."""
