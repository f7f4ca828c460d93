from confapp import create_app

app = create_app()
